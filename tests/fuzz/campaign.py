"""Run mutants (tests/fuzz/mutations.py) through the CLI in-process (tests/fuzz/inprocess.py) and tally them.

`run_mutant` writes the mutant to a folder and runs each of its commands (solve; check when the example has
answers; summary for architectures and snippets). `Tally` counts outcomes by kind and keeps every failure
with what is needed to rebuild it: seed, index, example, mutations, command."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fuzz.inprocess import Outcome, run_guarded
from fuzz.mutations import Mutant, example_files, make_mutant

SECONDS = 2.0          # per command: the product's budget (a real process adds ~0.5 s of start-up to it)
MEMORY_MB = 120.0      # per command, above its start: 200 MB for a process that starts at ~50-80 MB


@dataclass(frozen=True)
class Failure:
    mutant: Mutant
    command: tuple[str, ...]
    outcome: Outcome

    def reproduce(self) -> str:
        return (f"make fuzz SEED={self.mutant.seed} ONLY={self.mutant.index}   "
                f"# {self.command[0]} of {self.mutant.describe()}")


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)      # outcome kind → commands
    mutants: int = 0
    failures: list[Failure] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")

    def add(self, mutant: Mutant, results: list[tuple[tuple[str, ...], Outcome]]) -> None:
        self.mutants += 1
        for command, outcome in results:
            self.counts[outcome.kind] += 1
            if outcome.failed:
                self.failures.append(Failure(mutant, command, outcome))
            if outcome.seconds > self.slowest[0]:
                self.slowest = (outcome.seconds, f"seed {mutant.seed} mutant {mutant.index} {command[0]}")

    def by_cause(self) -> dict[str, list[Failure]]:
        groups: dict[str, list[Failure]] = {}
        for failure in self.failures:
            groups.setdefault(failure.outcome.cause, []).append(failure)
        return dict(sorted(groups.items(), key=lambda item: -len(item[1])))

    def report(self, examples_per_cause: int | None = 5) -> str:
        """Counts by outcome, then the failures by cause (`examples_per_cause` of each; None: all)."""
        commands = sum(self.counts.values())
        order = ["exit 0", "exit 1", "exit 2", "exit 3", "exception", "timeout", "memory", "crash"]
        lines = [f"{self.mutants} mutants, {commands} commands: "
                 + ", ".join(f"{kind} {self.counts[kind]}" for kind in order),
                 f"slowest command: {self.slowest[0]:.2f} s ({self.slowest[1]})"]
        if not self.failures:
            lines.append("no failures")
        for cause, failures in self.by_cause().items():
            lines.append(f"\n{len(failures)} × {cause}")
            shown = failures if examples_per_cause is None else failures[:examples_per_cause]
            for failure in shown:
                lines.append(f"  {failure.reproduce()}")
                lines.append(f"      {failure.outcome.detail[:200]}")
            if len(shown) < len(failures):
                lines.append(f"  … and {len(failures) - len(shown)} more")
        return "\n".join(lines)


def run_mutant(mutant: Mutant, folder: Path, seconds: float = SECONDS,
               memory_mb: float = MEMORY_MB) -> list[tuple[tuple[str, ...], Outcome]]:
    path = folder / f"mutant-{mutant.seed}-{mutant.index}{mutant.suffix}"
    path.write_bytes(mutant.data)
    results = []
    for command in mutant.commands:
        args = [str(path) if a == "{file}" else str(folder / f"export-{mutant.index}") if a == "{out}" else a
                for a in command]
        results.append((command, run_guarded(args, seconds=seconds, memory_mb=memory_mb)))
    path.unlink()
    return results


def warm_up() -> None:
    """Run one example of each family (and a snippet) once, unlimited: the first command of a family imports
    its modules (SymPy alone takes about half a second), which no mutant should be charged for."""
    from cli_runner import invoke

    seen = set()
    for path in example_files():
        text = path.read_text(encoding="utf-8")
        family = path.suffix if path.suffix == ".py" else next(
            (line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("problem:")), path.suffix)
        if family not in seen:
            seen.add(family)
            invoke("summary" if path.suffix == ".py" else "solve", str(path))


def campaign(seed: int, indices, folder: Path, on_each=None) -> Tally:
    tally = Tally()
    for index in indices:
        mutant = make_mutant(seed, index)
        results = run_mutant(mutant, folder)
        tally.add(mutant, results)
        if on_each is not None:
            on_each(mutant, results)
    return tally
