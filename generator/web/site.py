"""What the server remembers about the unit it serves: checked years (until their files change), uploads waiting
for a decision, the last build of each year and its page pictures, and one lock per year so that two people
uploading or building the same year take turns instead of mixing files."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from generator import api
from generator.web.jobs import Failed, Workers

UPLOAD_LIFETIME = 3600  # seconds an upload waits for "replace?" before it is dropped
BUILDS_KEPT = 10  # per year: a build someone may still be looking at (or downloading) is not deleted under them


@dataclass
class Upload:
    id: str
    session: str
    kind: str  # "data" or "template"
    shown: str  # the name it was uploaded with (for showing only)
    staged: Path | None
    checked: api.Checked | None = None
    problems: list = field(default_factory=list)  # a template's problems
    year: int | None = None
    replacing: list[str] = field(default_factory=list)  # the files it would replace
    expected: str = ""  # their fingerprint when the person was asked
    stored: api.Stored | None = None
    stem: str = ""  # a template's name
    created: float = field(default_factory=time.time)


@dataclass
class VerifyRecord:
    id: str
    session: str
    year: int
    shown: str  # the report's name as the person knows it
    result: object  # api.VerifyResult, or jobs.Failed
    created: float = field(default_factory=time.time)


VERIFICATIONS_KEPT = 50


@dataclass
class BuildRecord:
    id: str
    page: api.PageBuild
    when: float
    style_label: str


class Site:
    def __init__(self, folder: Path, workers: Workers) -> None:
        self.folder = folder
        self.workers = workers
        self.previews = Path(tempfile.mkdtemp(prefix="annual-report-serve-"))
        self.office = api.office_available()
        self._locks: dict[int | str, asyncio.Lock] = {}
        self._checked: dict[int, tuple[tuple, api.Checked]] = {}
        self._checking: dict[int, asyncio.Future] = {}
        self.uploads: dict[str, Upload] = {}
        self.builds: dict[int, list[BuildRecord]] = {}
        self.verifications: dict[str, VerifyRecord] = {}

    def lock(self, key: int | str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    async def years(self) -> dict[int, api.YearFiles]:
        return await run_in_threadpool(api.year_files, self.folder)

    async def checked(self, year: int) -> api.Checked | None:
        """The year's data checked, from memory while its files (and earlier years') are unchanged."""
        key = await run_in_threadpool(api.year_signature, self.folder, year)
        known = self._checked.get(year)
        if known is not None and known[0] == key:
            return known[1]
        running = self._checking.get(year)
        if running is None or running.done():
            running = asyncio.ensure_future(self.workers.run(api.check_year, self.folder, year))
            self._checking[year] = running
        result = await asyncio.shield(running)
        if isinstance(result, Failed):  # check_year keeps problems as data; this is a file that vanished
            return None
        if result is not None:
            self._checked[year] = (key, result)
        return result

    async def all_checked(self, years: list[int]) -> dict[int, api.Checked | None]:
        results = await asyncio.gather(*(self.checked(y) for y in years))
        return dict(zip(years, results, strict=True))

    def unit_name(self) -> str:
        """The unit's name as its newest checked year gives it; the folder's name until one is checked."""
        for year in sorted(self._checked, reverse=True):
            if self._checked[year][1].organization:
                return self._checked[year][1].organization
        return self.folder.name

    async def check_all(self) -> None:
        """Every year checked in the background at start: the first page view finds them ready."""
        with contextlib.suppress(Exception):  # a failure here shows again, in place, when the page asks
            await self.all_checked(list(await self.years()))

    def forget(self, year: int) -> None:
        self._checked.pop(year, None)

    # --- uploads -----------------------------------------------------------------------------------------------

    def new_upload(self, session: str, kind: str, shown: str, staged: Path | None) -> Upload:
        self.sweep()
        upload = Upload(secrets.token_urlsafe(12), session, kind, shown, staged)
        self.uploads[upload.id] = upload
        return upload

    def upload(self, upload_id: str, session: str) -> Upload | None:
        upload = self.uploads.get(upload_id)
        return upload if upload is not None and upload.session == session else None

    def drop(self, upload: Upload) -> None:
        if upload.staged is not None:
            with contextlib.suppress(OSError):
                upload.staged.unlink()
            upload.staged = None

    def sweep(self) -> None:
        now = time.time()
        for upload in list(self.uploads.values()):
            if now - upload.created > UPLOAD_LIFETIME:
                self.drop(upload)
                del self.uploads[upload.id]

    # --- verifications ----------------------------------------------------------------------------------------

    def record_verification(self, session: str, year: int, shown: str, result: object) -> VerifyRecord:
        record = VerifyRecord(secrets.token_urlsafe(12), session, year, shown, result)
        self.verifications[record.id] = record
        while len(self.verifications) > VERIFICATIONS_KEPT:
            self.verifications.pop(next(iter(self.verifications)))
        return record

    def verification(self, record_id: str, session: str) -> VerifyRecord | None:
        record = self.verifications.get(record_id)
        return record if record is not None and record.session == session else None

    # --- builds ------------------------------------------------------------------------------------------------

    def new_preview_folder(self) -> tuple[str, Path]:
        build_id = secrets.token_urlsafe(12)
        return build_id, self.previews / build_id

    def record_build(self, year: int, record: BuildRecord) -> None:
        records = self.builds.setdefault(year, [])
        records.append(record)
        while len(records) > BUILDS_KEPT:
            old = records.pop(0)
            shutil.rmtree(self.previews / old.id, ignore_errors=True)

    def last_build(self, year: int) -> BuildRecord | None:
        records = self.builds.get(year)
        return records[-1] if records else None

    def build(self, year: int, build_id: str) -> BuildRecord | None:
        return next((r for r in self.builds.get(year, []) if r.id == build_id), None)

    def _record(self, build_id: str) -> BuildRecord | None:
        return next((r for records in self.builds.values() for r in records if r.id == build_id), None)

    def preview_file(self, build_id: str, page: int) -> Path | None:
        record = self._record(build_id)
        if record is None or not 1 <= page <= record.page.pages:
            return None
        return self.previews / build_id / f"{page}.png"

    def build_file(self, build_id: str, name: str) -> Path | None:
        """A build's own copy of its .docx or PDF, by the name it has beside the data."""
        record = self._record(build_id)
        if record is None or name not in (record.page.report, record.page.pdf):
            return None
        return self.previews / build_id / name

    def close(self) -> None:
        for upload in self.uploads.values():
            self.drop(upload)
        shutil.rmtree(self.previews, ignore_errors=True)
