"""The Project facade: a small surface, one namespace per stage, and the first release's
flat names still working for one release with a warning that says where they went."""
import re
import warnings

import pytest

from qualcode.project import DEPRECATED, Project

NAMESPACES = ("coding", "analyse", "agreement", "privacy", "exchange", "constructs")


def public_members(project):
    return sorted(n for n in dir(project) if not n.startswith("_"))


def test_the_facade_has_at_most_25_public_members(project):
    members = public_members(project)
    assert len(members) <= 25, members
    for name in NAMESPACES:
        assert name in members


def test_no_deprecated_name_is_a_real_member(project):
    # an alias that shadowed a real member would never warn
    assert not set(DEPRECATED) & set(vars(Project)) - {"audit"}


@pytest.mark.parametrize("old, new", sorted(DEPRECATED.items()))
def test_every_old_name_warns_and_reaches_its_new_home(project, old, new):
    with pytest.warns(DeprecationWarning, match=rf"project\.{old} is deprecated; use project\.{re.escape(new)}"):
        found = getattr(project, old)
    assert found is not None
    if not new.startswith("_") and "." in new:
        space, verb = new.split(".")
        target = getattr(getattr(project, space), verb)
        assert found == target


def test_old_calls_give_the_same_answers(project):
    with pytest.warns(DeprecationWarning, match=r"project\.language is deprecated"):
        assert getattr(project, "language") == project.config.language == "fi"
    with pytest.warns(DeprecationWarning, match=r"project\.agreement\(\.\.\.\) is deprecated; use project\.agreement\.table"):
        old = project.agreement(["liisa", "matti"])
    assert old.equals(project.agreement.table(["liisa", "matti"]))
    with pytest.warns(DeprecationWarning, match=r"project\.constructs\.load"):
        assert project.constructs().is_empty()


def test_a_namespace_without_an_old_call_is_not_callable(project):
    with pytest.raises(TypeError, match="namespace"):
        project.coding()


def test_unknown_names_are_plain_attribute_errors(project):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
            project.nonsense
