"""Demo and benchmark data (published passwords, invented people) cannot reach a production database by mistake."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from unionapp.models import Unit


@pytest.mark.parametrize("command", ["seed_demo", "seed_if_empty", "bench", "loadtest"])
def test_commands_that_write_demo_data_refuse_when_debug_is_off(db, settings, monkeypatch, command):
    settings.DEBUG = False
    monkeypatch.delenv("UNIONAPP_ALLOW_DEMO_DATA", raising=False)
    with pytest.raises(CommandError, match="DEBUG"):
        call_command(command, stdout=io.StringIO())
    assert not Unit.objects.exists()


def test_a_training_server_may_say_it_wants_the_demo(db, settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.setenv("UNIONAPP_ALLOW_DEMO_DATA", "1")
    call_command("seed_demo", stdout=io.StringIO())
    assert Unit.objects.filter(code="LS").exists()
