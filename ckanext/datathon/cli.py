"""``ckan datathon ...`` commands (registered with the cli blanket)."""

from __future__ import annotations

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
