"""Training, shared by every family that trains (dense, conv_network, recurrent, gated_rnn, attention):
the schema keys they share, the one loss builder, the one pipeline (forward → loss → backward →
optimizer updates), their consistency checks and the conventions a key may have used instead."""
