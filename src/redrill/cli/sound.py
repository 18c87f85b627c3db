"""``redrill devices`` and ``play``: the sound devices, and listening to a recorded answer."""

from __future__ import annotations

import click

from redrill.cli.app import App, fmt_seconds, pass_app, print_json


@click.command("devices")
@click.option("--voices", is_flag=True, help="List the voices for reading questions aloud instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def devices(voices: bool, as_json: bool) -> None:
    """List microphones (input devices) for --device, or voices for --voice."""
    if voices:
        from redrill.sound.speaker import list_voices

        found = list_voices()
        if as_json:
            print_json([{"id": v.id, "name": v.name, "languages": list(v.languages)} for v in found])
            return
        for v in found:
            click.echo(f"{v.id:<24} {v.name}")
        return
    from redrill.sound.devices import list_input_devices

    devices = list_input_devices()
    if as_json:
        print_json(
            [
                {
                    "index": d.index,
                    "name": d.name,
                    "hostapi": d.hostapi,
                    "channels": d.channels,
                    "default_samplerate": d.default_samplerate,
                    "default": d.is_default,
                }
                for d in devices
            ]
        )
        return
    if not devices:
        raise click.ClickException(
            "no microphone found: plug one in or check your sound server (PulseAudio/PipeWire); typed answers work without one: redrill drill --text"
        )
    for d in devices:
        mark = "*" if d.is_default else " "
        click.echo(f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} ch, {d.default_samplerate:.0f} Hz)")
    click.echo("* = default. Use --device NUMBER or --device NAME with `redrill drill`.")


@click.command("play")
@click.argument("attempt_id", type=int)
@click.option("--device", help="Output device number or name (default: the system's).")
@pass_app
def play(app: App, attempt_id: int, device) -> None:
    """Play back the recording of attempt ATTEMPT_ID (numbers are in `redrill history`)."""
    from redrill.drill import play_attempt

    if isinstance(device, str) and device.strip().isdigit():
        device = int(device)
    from redrill.cli.render import PlaybackBar

    bar = PlaybackBar(f"attempt #{attempt_id}")
    try:
        seconds = play_attempt(app.store, app.paths, attempt_id, device=device, on_progress=bar)
    finally:
        bar.done()
    click.echo(f"Played attempt #{attempt_id} ({fmt_seconds(seconds)}).")


COMMANDS = [devices, play]
