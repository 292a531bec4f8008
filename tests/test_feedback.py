"""The readable feedback: a hint shown once per function, however many of its tests it explains."""
from autograder.framework import CaseResult
from autograder.grading import feedback_markdown

HINT = "your gradient is twice the expected one: the penalty is (lam/2)||w||^2, so the gradient is lam*w."


def _failed(name, function, hint):
    return CaseResult(name, function, 0.0, 1.0, "failed", "differs at index (0,)", hint)


def test_a_repeated_hint_is_given_once_per_function():
    results = [
        _failed("l2_gradient: worked example", "l2_gradient", HINT),
        _failed("l2_gradient: random shapes", "l2_gradient", HINT),
        _failed("l2_gradient: 2-D weights", "l2_gradient", "a different hint"),
        _failed("elastic_net_gradient: worked example", "elastic_net_gradient", HINT),
        CaseResult("l1_penalty: worked example", "l1_penalty", 1.0, 1.0, "passed"),
    ]
    text = feedback_markdown("ada", "01_penalties", results)
    l2_section = text.split("### `l2_gradient`")[1].split("###")[0]
    assert l2_section.count(HINT) == 1
    assert l2_section.count("Hint: the same as above.") == 1
    assert "a different hint" in l2_section
    # another function's section states the hint in full again
    assert text.split("### `elastic_net_gradient`")[1].count(HINT) == 1
    assert "**Total: 1 / 5 points**" in text


def test_the_same_as_above_points_at_the_hint_right_above():
    results = [
        _failed("l2_gradient: worked example", "l2_gradient", HINT),
        _failed("l2_gradient: 2-D weights", "l2_gradient", "a different hint"),
        _failed("l2_gradient: random shapes", "l2_gradient", HINT),
        _failed("l2_gradient: edge cases", "l2_gradient", None),
        _failed("l2_gradient: a list", "l2_gradient", HINT),
        _failed("l2_gradient: a number", "l2_gradient", HINT),
    ]
    section = feedback_markdown("ada", "01_penalties", results).split("### `l2_gradient`")[1]
    hints = [line.strip() for line in section.splitlines() if line.strip().startswith("- Hint:")]
    # the third and fifth tests follow another hint (or none): their hint is given in full again
    assert hints == [f"- Hint: {HINT}", "- Hint: a different hint", f"- Hint: {HINT}", f"- Hint: {HINT}",
                     "- Hint: the same as above."]
