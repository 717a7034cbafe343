"""``ckan datathon ...`` commands (registered with the cli blanket)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

import ckan.plugins.toolkit as tk

__all__ = ["datathon"]


@click.group(short_help="Challenges and datathons.")
def datathon() -> None:
    """Commands of the datathon plugin."""


@datathon.command("seed-demo")
@click.option("--site-url", help="URL the demo CSV files are served from (default: ckan.site_url)")
def seed_demo(site_url: str | None) -> None:
    """Create the demo portal's organizations, users, datasets, challenges and
    projects (INFO CDMX 2023 and 2024, São Paulo's Pátio Digital).  Safe to run
    again: what exists is left as it is."""
    from ckanext.datathon import demo  # only this command needs it

    result = demo.seed(site_url or tk.config["ckan.site_url"], echo=click.echo)
    click.secho(f"Demo content ready ({result['created']} objects created).", fg="green")
    click.echo(f"Demo users (password {demo.DEMO_PASSWORD}):")
    for spec in demo.content.USERS:
        click.echo(f"  {spec['name']:<22} {spec['fullname']}")


@datathon.command("export")
@click.argument("challenge")
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the files into (default: ./<challenge name>-export).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "both"]),
    default="both",
    show_default=True,
    help="challenge.json, the CSV files, or both.",
)
@click.option(
    "--user",
    help="Export what this user may see (default: what an anonymous visitor sees).",
)
def export(challenge: str, output: Path | None, fmt: str, user: str | None) -> None:
    """Export CHALLENGE (id or name) as challenge.json (challenge, projects,
    scores, ranking, awards) and CSV files: projects.csv; scores.csv only
    when the user is an organizer of the challenge or a sysadmin;
    results.csv (ranking and awards) only once the results are published or
    for organizers.

    Everything is read through the plugin's actions with their permission
    checks, as anonymous unless --user is given: drafts are not found for
    anonymous users and scores are left out.  CSV cells that a spreadsheet
    would run as formulas are prefixed with an apostrophe."""
    from ckanext.datathon.formats import export as bundle_export

    try:
        bundle = bundle_export.collect(challenge, user)
    except bundle_export.ExportError as error:
        tk.error_shout(str(error))
        raise click.exceptions.Exit(1) from None
    folder = output or Path(f"{bundle.challenge['name']}-export")
    for path in bundle_export.write(bundle, folder, fmt):
        click.echo(str(path))
    if bundle.scores is None:
        click.echo("Scores left out: only organizers and sysadmins may see them (see --user).")
    if bundle.ranking is None:
        click.echo("Results left out: they are not published yet (organizers see them).")


def _parse_day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f'"{value}" is not a date of the form YYYY-MM-DD.') from None


@datathon.command("stage-report")
@click.option(
    "--date",
    "day",
    callback=_parse_day,
    metavar="YYYY-MM-DD",
    help="The day to report (default: today in each challenge's time zone).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
def stage_report(day: dt.date | None, fmt: str) -> None:
    """Published challenges whose stage changes on a day, for a cron job: a
    stage of the method timeline starts or ends, or a contest date
    (registration, submission deadline, judging, results) falls on that day
    in the challenge's time zone.  Exit code 0, also when nothing changes."""
    from ckanext.datathon.formats import stage_report as report

    query = {"date": day.isoformat()} if day else {}
    changes = tk.get_action("challenge_stage_report")({"user": ""}, query)
    if fmt == "json":
        click.echo(json.dumps(changes, ensure_ascii=False, indent=2))
        return
    for line in report.text_lines(changes, day):
        click.echo(line)


@datathon.command("openapi")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the document to this file (default: standard output).",
)
def openapi(output: Path | None) -> None:
    """Print the OpenAPI 3.1 description of the plugin's actions, generated
    from their navl schemas (docs/openapi.json is this command's output;
    the portal serves it at /api/datathon/openapi.json)."""
    from ckanext.datathon.logic import openapi as document

    text = document.document_json()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


@datathon.command("send-reminders")
@click.option(
    "--dry-run", is_flag=True, help="Print the reminders that would be sent; send nothing."
)
def send_reminders(dry_run: bool) -> None:
    """Queue the reminders that are due: before registration closes, before
    the submission deadline and before judging closes (lead times:
    ckanext.datathon.reminder_*_hours).  Each reaches a user once per kind and
    challenge, so run it as often as you like (cron, a systemd timer); a
    worker (`ckan jobs worker datathon`) sends the mail."""
    from ckanext.datathon.lib import timeline
    from ckanext.datathon.logic import jobs, reminders

    if not dry_run and not jobs.enabled():
        raise click.ClickException(
            "mail is off (ckanext.datathon.notifications, or no smtp.server): nothing sent"
        )
    sent = reminders.send(timeline.now(), dry_run=dry_run)
    verb = "would send" if dry_run else "queued"
    for r in sent:
        click.echo(f"{verb} {r.kind} reminder: {r.challenge_name} -> {r.user_name}")
    click.echo(f"{len(sent)} reminder(s) {'would be sent' if dry_run else 'queued'}.")


@datathon.command("upgrade")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("datathon-upgrade"),
    show_default=True,
    help="Directory for the files the steps write (exports, reports).",
)
@click.option("--step", "only", multiple=True, help="Run only this step (repeatable).")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@click.option("--list", "list_only", is_flag=True, help="List the steps and exit.")
def upgrade(output_dir: Path, only: tuple[str, ...], dry_run: bool, list_only: bool) -> None:
    """What ``ckan db upgrade -p datathon`` cannot do: run it after the
    migrations, once per upgrade (running it again changes nothing).  The steps
    are listed in the CHANGELOG entry that needs them."""
    from ckanext.datathon import upgrade as steps

    if list_only:
        for step in steps.steps():
            click.echo(f"{step.name}: {step.summary}")
        return
    try:
        results = steps.run(steps.UpgradeContext(output_dir=output_dir, dry_run=dry_run), only)
    except KeyError as error:
        raise click.BadParameter(f"unknown step: {error.args[0]}", param_hint="--step") from None
    if not results:
        click.echo("No upgrade steps.")
    for step, lines in results:
        click.secho(f"{step.name}: {step.summary}", bold=True)
        for line in lines:
            click.echo(f"  {line}")
