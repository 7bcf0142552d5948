"""The other end of the warm PDF converter (generator/converter.py): runs under a Python that has LibreOffice's
``uno`` module (Debian's /usr/bin/python3 with python3-uno, or the python LibreOffice ships on Windows and macOS),
which is usually not the Python annual-report runs in. So this file imports nothing of ours and is started as a
script.

It starts one LibreOffice with its own profile, listening on a private pipe, connects to it over UNO, and then
converts documents one by one, asked over stdin and answered over stdout, one JSON object a line:

    -> {"ready": true, "office": <pid of LibreOffice's process group>}      once, when connected
    <- {"document": "/abs/in.docx", "pdf": "/abs/out.pdf"}
    -> {"ok": true} | {"ok": false, "error": "..."}

The document is opened and stored with the same properties ``soffice --convert-to pdf`` uses (read-only, hidden,
silent, a new view; the writer_pdf_Export filter), so the pages are the same. When stdin closes or the process that
started us goes away, LibreOffice is ended with us: nobody is left listening.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

import uno  # type: ignore[import-not-found]  # only in LibreOffice's Python
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def properties(**values):
    result = []
    for name, value in values.items():
        item = PropertyValue()
        item.Name = name
        item.Value = value
        result.append(item)
    return tuple(result)


class Office:
    def __init__(self, soffice, profile_url, pipe):
        self.pipe = pipe
        command = [
            soffice,
            "-env:UserInstallation=" + profile_url,
            "--headless",
            "--invisible",
            "--nocrashreport",
            "--nodefault",
            "--nologo",
            "--norestore",
            "--accept=pipe,name=" + pipe + ";urp;StarOffice.ComponentContext",
        ]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: ended as a whole, never by a broad name
        )
        self.desktop = None

    def connect(self, timeout):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:
            try:
                context = resolver.resolve("uno:pipe,name=" + self.pipe + ";urp;StarOffice.ComponentContext")
                break
            except Exception:
                # soffice exits once with code 81 after making a new profile and its launcher starts it again
                if time.monotonic() > deadline:
                    raise
                if self.process.poll() not in (None, 81):
                    code = self.process.returncode
                    raise RuntimeError(f"LibreOffice ended while starting (exit code {code})") from None
                time.sleep(0.1)
        self.desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)

    def convert(self, document, pdf):
        opened = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(document),
            "_blank",
            0,
            properties(Referer="private:OpenEvent", ReadOnly=True, OpenNewView=True, Hidden=True, Silent=True),
        )
        if opened is None:
            raise RuntimeError("LibreOffice could not open the document")
        try:
            opened.storeToURL(
                uno.systemPathToFileUrl(pdf),
                properties(ConversionRequestOrigin="CommandLine", Overwrite=True, FilterName="writer_pdf_Export"),
            )
        finally:
            try:
                opened.close(True)
            except Exception:
                opened.dispose()

    def end(self):
        if self.desktop is not None:
            ender = threading.Thread(target=self._terminate, daemon=True)
            ender.start()
            ender.join(5)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (OSError, AttributeError):  # already gone; or Windows, where the group is the process
            with contextlib.suppress(OSError):
                self.process.kill()

    def _terminate(self):
        with contextlib.suppress(Exception):
            self.desktop.terminate()


def watch_parent(office, parent):
    """The process that started us died without closing our stdin (SIGKILL): end LibreOffice and ourselves."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            office.end()
            os._exit(0)


def main():
    soffice, profile_url, pipe = sys.argv[1:4]
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 60.0
    parent = os.getppid()
    office = Office(soffice, profile_url, pipe)

    def stop(signum, frame):
        office.end()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C in the terminal is for the program that started us
    threading.Thread(target=watch_parent, args=(office, parent), daemon=True).start()
    out = sys.stdout
    try:
        office.connect(timeout)
    except Exception as exc:
        out.write(json.dumps({"ready": False, "error": str(exc)}) + "\n")
        out.flush()
        office.end()
        return
    out.write(json.dumps({"ready": True, "office": office.process.pid}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            office.convert(request["document"], request["pdf"])
            answer = {"ok": True}
        except Exception as exc:
            if office.process.poll() is not None:
                break  # LibreOffice is gone: say nothing, end, and be started again
            answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    office.end()


if __name__ == "__main__":
    main()
