"""Publishing solved problems where courses use them: quiz questions for Moodle (XML) and Canvas (QTI 1.2).

questions.py decides every number, tolerance and mark of a question (plain data); moodle.py and qti.py only write
it out; export.py finds the problem files and solves them.
"""
