"""A progress bar with ETA on a terminal; plain lines otherwise (logs, CI)."""

import time


class Progress:
    def __init__(self, total, stream, skipped=0):
        self.total, self.stream, self.done = total, stream, 0
        self.start = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        if skipped:
            print(f"{skipped} já corrigida(s), pulando (use --force para corrigir de novo)", file=stream, flush=True)

    def eta(self):
        if not self.done:
            return "?"
        left = (time.monotonic() - self.start) / self.done * (self.total - self.done)
        return f"{int(left // 60)}m{int(left % 60):02d}s"

    def step(self, label):
        self.done += 1
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total}  ETA {self.eta():>7}  {label[:40]:<40}")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {label}  (ETA {self.eta()})\n")
        self.stream.flush()

    def close(self):
        if self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()
