"""``redrill model list`` and ``redrill model pull``: the offline speech models."""

from __future__ import annotations

from typing import Any

import click

from redrill.cli.app import App, pass_app, print_json


@click.group("model")
def model() -> None:
    """Manage the Whisper speech models that transcribe spoken answers (offline after one download)."""


# What each size trades, for `model list` (relative figures: see README, Performance).
TRADE_OFFS = {
    "tiny": "fastest; most misheard words, drops more um/uh",
    "base": "about 2x tiny's time; better words, keeps um/uh",
    "small": "about 3x base's time; better on accents and jargon",
    "medium": "slow on a laptop CPU; best for hard audio",
    "large": "too slow for instant feedback on a CPU",
    "distil": "a faster distilled large model; English only",
}


def trade_off(name: str) -> str:
    """A line on what a model size costs and gives."""
    for key, text in TRADE_OFFS.items():
        if name.startswith(key):
            return text
    return "a model folder of your own"


@model.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_models(app: App, as_json: bool) -> None:
    """Show the model redrill will use, every model on this computer, and the names you can pull."""
    from redrill.errors import RedrillError
    from redrill.transcription import bundled
    from redrill.transcription.models import choose_model, find_model, folder_size, known_models, list_local_models

    spec = choose_model(None, app.config.model)
    try:
        choice = find_model(spec, app.paths)
        in_use, problem = choice, None
    except RedrillError as err:
        in_use, problem = None, str(err)
    rows: list[dict[str, Any]] = []
    for m in list_local_models(app.paths):
        rows.append(
            {"name": m.name, "source": "pulled", "path": str(m.path), "bytes": m.size_bytes, "problem": m.problem}
        )
    for b in bundled.BUNDLED:
        try:
            folder = bundled.locate(b, app.paths)
        except RedrillError as err:
            rows.append({"name": b.name, "source": "bundled", "path": None, "bytes": None, "problem": str(err)})
            continue
        if folder is None:
            rows.append(
                {
                    "name": b.name,
                    "source": "bundled",
                    "path": None,
                    "bytes": None,
                    "problem": f"not installed: {b.pip_install}",
                }
            )
        else:
            rows.append(
                {
                    "name": b.name,
                    "source": "bundled",
                    "path": str(folder),
                    "bytes": folder_size(folder),
                    "problem": None,
                }
            )
    for row in rows:
        model = bundled.by_name(row["name"]) if row["source"] == "bundled" else None
        # Bundled models have figures measured on redrill's labelled set; others a rule of thumb by size.
        row["trade_off"] = f"{model.speed}; {model.accuracy}" if model else trade_off(row["name"])
    if as_json:
        print_json(
            {
                "model": in_use.name if in_use else spec,
                "source": in_use.source if in_use else None,
                "path": str(in_use.path) if in_use else None,
                "problem": problem,
                "models": rows,
                "local": [r for r in rows if r["source"] == "pulled"],
                "available": known_models(),
            }
        )
        return
    if in_use:
        click.echo(f"In use: {in_use.name} ({in_use.label}) {in_use.path}")
    else:
        click.echo(f"In use: {spec} - not ready")
        click.echo(problem)
    click.echo("\nOn this computer:")
    click.echo(f"  {'model':<10} {'source':<8} {'size':>8}  speed and accuracy")
    for r in rows:
        size = f"{r['bytes'] / 1_000_000:5.0f} MB" if r["bytes"] else "     -  "
        status = f"  [{r['problem']}]" if r["problem"] else ""
        click.echo(f"  {r['name']:<10} {r['source']:<8} {size}  {r['trade_off']}{status}")
    click.echo(f"\nAvailable to pull (needs internet once): {', '.join(known_models())}")


@model.command("pull")
@click.argument("name", required=False)
@click.option("--force", is_flag=True, help="Download again even if the model is already here.")
@pass_app
def pull(app: App, name: str | None, force: bool) -> None:
    """Download speech model NAME once (needs internet; default: the configured model, else base.en).

    It is saved in your data home (see `redrill paths`); after that redrill works offline.
    """
    from redrill.transcription.models import (
        DEFAULT_MODEL,
        _looks_like_path,
        choose_model,
        folder_size,
        known_models,
        pull_model,
    )

    name = name or choose_model(None, app.config.model) or DEFAULT_MODEL
    if _looks_like_path(name):
        raise click.UsageError(
            f"the configured model is a folder ({name}); name a model to pull, e.g. `redrill model pull base.en`"
        )
    names = known_models()
    if name not in names:
        raise click.BadParameter(f"{name!r} is not a model name; valid names: {', '.join(names)}", param_hint="NAME")
    from tqdm.auto import tqdm

    click.echo(f"Downloading {name} ...", err=True)
    folder = pull_model(name, app.paths, progress=tqdm, force=force)
    click.echo(f"{name} is ready: {folder} ({folder_size(folder) / 1_000_000:.0f} MB)")


COMMANDS = [model]
