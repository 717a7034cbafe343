"""``ckan datathon upgrade``: the steps alembic cannot do (each step's own
effects are tested beside the feature that needs it)."""

from __future__ import annotations

import pytest

from ckan.cli.cli import ckan

from ckanext.datathon import upgrade


def test_steps_are_ordered_and_uniquely_named():
    found = upgrade.steps()
    assert [s.order for s in found] == sorted(s.order for s in found)
    assert len({s.name for s in found}) == len(found)
    assert all(s.summary for s in found)


@pytest.mark.usefixtures("with_plugins")
class TestCommand:
    def test_list_names_every_step(self, cli):
        result = cli.invoke(ckan, ["datathon", "upgrade", "--list"])
        assert result.exit_code == 0, result.output
        for step in upgrade.steps():
            assert f"{step.name}: {step.summary}" in result.output

    def test_unknown_step_is_refused_before_anything_runs(self, cli, tmp_path):
        out = tmp_path / "out"
        result = cli.invoke(
            ckan, ["datathon", "upgrade", "--step", "no-such-step", "--output-dir", str(out)]
        )
        assert result.exit_code == 2
        assert "unknown step: no-such-step" in result.output
        assert not out.exists()
