"""Shared by the Python test scripts (test/dump, test/sflow): a check that
records its failure and goes on, and the golden captures' expected.txt."""

failures = []


def check(condition, what):
    """Records `what` as failed unless `condition` holds; returns condition."""
    if not condition:
        failures.append(what)
        print("FAIL: " + what)
    return condition


def expected_lines(path):
    """(kind, {key: value}) per line of a golden capture's expected.txt."""
    out = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, *fields = line.split(" ")
        out.append((kind, dict(f.split("=", 1) for f in fields)))
    return out
