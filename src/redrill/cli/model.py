"""``redrill model list`` and ``redrill model pull``: the offline speech models."""

from __future__ import annotations

import click

from redrill.cli.app import App, pass_app, print_json


@click.group("model")
def model() -> None:
    """Manage the Whisper speech models that transcribe spoken answers (offline after one download)."""


@model.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_models(app: App, as_json: bool) -> None:
    """Show the model redrill will use, the models on this computer, and the names you can pull."""
    from redrill.errors import RedrillError
    from redrill.models import choose_model, known_models, list_local_models, resolve_model

    spec = choose_model(None, app.config.model)
    try:
        in_use, problem = str(resolve_model(spec, app.paths)), None
    except RedrillError as err:
        in_use, problem = None, str(err)
    local = list_local_models(app.paths)
    if as_json:
        print_json(
            {
                "model": spec,
                "path": in_use,
                "problem": problem,
                "local": [
                    {"name": m.name, "path": str(m.path), "bytes": m.size_bytes, "problem": m.problem} for m in local
                ],
                "available": known_models(),
            }
        )
        return
    if in_use:
        click.echo(f"In use: {spec} ({in_use})")
    else:
        click.echo(f"In use: {spec} - not ready")
        click.echo(problem)
    click.echo(f"\nOn this computer ({app.paths.models}):")
    if not local:
        click.echo("  (none)")
    for m in local:
        status = "" if m.ok else f"  [{m.problem}]"
        click.echo(f"  {m.name:<18} {m.size_bytes / 1_000_000:7.0f} MB{status}")
    click.echo(f"\nAvailable to pull: {', '.join(known_models())}")


@model.command("pull")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Download again even if the model is already here.")
@pass_app
def pull(app: App, name: str | None, force: bool) -> None:
    """Download speech model NAME once (needs internet; default: the configured model, base.en).

    It is saved in your data home (see `redrill paths`); after that redrill works offline.
    """
    from redrill.models import _looks_like_path, choose_model, folder_size, known_models, pull_model

    name = name or choose_model(None, app.config.model)
    if _looks_like_path(name):
        raise click.UsageError(f"the configured model is a folder ({name}); name a model to pull, e.g. `redrill model pull base.en`")
    names = known_models()
    if name not in names:
        raise click.BadParameter(f"{name!r} is not a model name; valid names: {', '.join(names)}", param_hint="NAME")
    from tqdm.auto import tqdm

    click.echo(f"Downloading {name} ...", err=True)
    folder = pull_model(name, app.paths, progress=tqdm, force=force)
    click.echo(f"{name} is ready: {folder} ({folder_size(folder) / 1_000_000:.0f} MB)")


COMMANDS = [model]
