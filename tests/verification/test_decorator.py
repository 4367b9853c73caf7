"""The ``@theorem`` decorator, the property-test fields of Theorem and tests/_strategies.py."""

import ast
import pathlib

import numpy as np
import pytest
from hypothesis import strategies as st

import equilibria
from equilibria.verification import BoundData, Theorem, theorem
from equilibria.verification import registry as reg

from .._strategies import check_theorem, instances, room_theorems


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(reg, "REGISTRY", {})
    monkeypatch.setattr(reg, "_loaded", True)
    return reg.REGISTRY


def sample_toy(rng, n=None):
    n = int(rng.integers(1, 50)) if n is None else n
    return {"x": rng.uniform(size=n)}


def _in_room(fn, module="equilibria.toyroom.theorems"):
    fn.__module__ = module
    return fn


def test_default_name_statement_and_attached_theorem(empty_registry):
    def evaluate_toy_sum(inst):
        """The sum of n uniforms is at most
        n.

        Measured: the sum; bound: n.
        """
        return float(inst["x"].sum()), float(inst["x"].size)

    fn = theorem(source="toy", sample=sample_toy, sizes={"n": (1, 5)},
                 n_instances=(3, 4))(_in_room(evaluate_toy_sum))
    assert fn is evaluate_toy_sum  # the function comes back, still callable
    thm = fn.theorem
    assert isinstance(thm, Theorem) and empty_registry["toyroom.toy_sum"] is thm
    assert thm.statement == "The sum of n uniforms is at most n."  # first paragraph, joined
    assert thm.sample is sample_toy and thm.evaluate is fn and thm.experiment is None
    assert dict(thm.sizes) == {"n": (1, 5)} and thm.n_instances == (3, 4)
    assert fn({"x": np.ones(2)}) == (2.0, 2.0)
    out = thm.judge(thm.run(np.random.default_rng(0)))
    assert out.passed and out.n_instances == 3


def test_room_from_nested_package_and_explicit_name(empty_registry):
    def _private_check(inst):
        """Stated.  Two spaces inside a line are kept."""
        return 0.0, 0.0

    thm = theorem(source="s", sample=sample_toy)(
        _in_room(_private_check, "equilibria.solvers.toyroom.theorems")).theorem
    assert thm.name == "toyroom.private_check"
    assert thm.statement == "Stated.  Two spaces inside a line are kept."

    def evaluate_other(inst):
        """x"""
        return 0.0, 0.0

    assert theorem("toyroom.named", source="s", sample=sample_toy)(
        _in_room(evaluate_other)).theorem.name == "toyroom.named"

    def outside(inst):
        """x"""
        return 0.0, 0.0

    with pytest.raises(ValueError, match="room"):  # this test module is no `theorems` module
        theorem(source="s", sample=sample_toy)(outside)


def test_experiment_form_and_explicit_statement(empty_registry):
    def toy_rate(rng, quick):
        """An experiment: the function is the experiment when no sample is given."""
        return BoundData([0.0], [1.0])

    thm = theorem(source="s", atol=1e-3)(_in_room(toy_rate)).theorem
    assert thm.experiment is toy_rate and thm.sample is None and thm.atol == 1e-3
    assert thm.judge(thm.run(np.random.default_rng(0))).passed

    generated = _in_room(lambda rng, quick: BoundData([0.0], [1.0]))
    thm = theorem("toyroom.generated", source="s", statement="made per policy")(generated).theorem
    assert thm.statement == "made per policy" and generated.theorem is thm


def test_decorator_rejects_bad_declarations(empty_registry):
    def undocumented(inst):
        return 0.0, 0.0

    with pytest.raises(ValueError, match="no statement"):
        theorem("toyroom.u", source="s", sample=sample_toy)(undocumented)
    with pytest.raises(TypeError, match="unknown Theorem field"):
        theorem("toyroom.u", source="s", sample=sample_toy, n_instance=(1, 2))
    with pytest.raises(ValueError, match="not a parameter"):
        theorem("toyroom.u", source="s", sample=sample_toy, statement="x",
                sizes={"m": (1, 3)})(undocumented)

    def documented(inst):
        """x"""
        return 0.0, 0.0

    theorem("toyroom.a", source="s", sample=sample_toy)(documented)
    with pytest.raises(TypeError, match="already carries"):
        theorem("toyroom.b", source="s", sample=sample_toy)(documented)
    with pytest.raises(ValueError, match=r"sizes\['n'\]"):
        Theorem("t.x", "s", "x", sample=sample_toy, evaluate=documented, sizes={"n": (3, 1)})
    with pytest.raises(ValueError, match="examples"):
        Theorem("t.x", "s", "x", sample=sample_toy, evaluate=documented, examples=0)


def test_instances_draw_sizes_and_seed_and_strategy_overrides():
    def evaluate(inst):
        return float(inst["x"].size), 3.0

    thm = Theorem("toy.len", "s", "len <= 3", sample=sample_toy, evaluate=evaluate,
                  sizes={"n": (1, 3)}, examples=5)
    seen = []
    check_theorem(Theorem("toy.len", "s", "x", sample=sample_toy,
                          evaluate=lambda i: (seen.append(i["x"].size) or 0.0, 0.0),
                          sizes={"n": (1, 3)}, examples=5))
    assert len(seen) == 5 and set(seen) <= {1, 2, 3}
    check_theorem(thm)
    # a failure shrinks to the smallest size that violates the bound
    bad = Theorem("toy.bad", "s", "len <= 3", sample=sample_toy, evaluate=evaluate,
                  sizes={"n": (1, 40)}, examples=50)
    with pytest.raises(AssertionError, match=r"measured 4\.0 > bound 3\.0"):
        check_theorem(bad)
    drawn = []
    custom = Theorem("toy.custom", "s", "x", sample=sample_toy,
                     evaluate=lambda i: (drawn.append(i["x"].size) or 0.0, 0.0),
                     strategy=lambda: st.builds(lambda k: {"x": np.zeros(k)}, st.just(7)))
    assert isinstance(instances(custom), st.SearchStrategy)
    check_theorem(custom)
    assert drawn and set(drawn) == {7}


def test_every_registered_per_instance_theorem_has_a_room_test():
    names = sorted(t.name for room in ("odes", "online", "ot", "games", "constrained",
                                       "bandits", "policy") for t in room_theorems(room))
    per_instance = sorted(n for n, t in reg.load_all().items() if t.sample is not None)
    assert names == per_instance
    # 74 of the first wave + the two Lyapunov theorems + the five Cournot theorems (issue 17)
    # + the six discretisation-drift theorems (issue 18) + the six Levine hat-game theorems
    # + GARDO official, ZO-RankSGD, MAID and the three sketching theorems (issue 18)
    # + the four common-pool-resource and four risk-averse-equilibrium theorems (issue 17)
    assert len(reg.load_all()) == 112


def _module_level_imports(tree):
    """Imports executed when the module is imported (function bodies excluded)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""
        todo.extend(ast.iter_child_nodes(node))


def test_package_does_not_import_hypothesis_at_import_time():
    """hypothesis is a test dependency: theorem strategies import it inside their bodies."""
    pkg = pathlib.Path(equilibria.__file__).resolve().parent
    bad = [str(p.relative_to(pkg)) for p in pkg.rglob("*.py")
           if any(m.split(".")[0] == "hypothesis"
                  for m in _module_level_imports(ast.parse(p.read_text(encoding="utf-8"))))]
    assert not bad, bad
