from .cli import sandbox

sandbox(prog_name="python -m smoke.sandbox")
