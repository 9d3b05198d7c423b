"""Exporting reports to files: visit PDF, day PDF, day CSV — atomically and owner-only.

A report is written to a new file under a short random name next to its destination —
opened ``O_CREAT|O_EXCL|O_NOFOLLOW``, mode 0600, so nothing another user put in a shared
folder (a file, a link) is ever written through — with every write checked, synced, read
back and verified (a PDF's structure and page count), then renamed into place and the
folder synced. Only then is it "saved"; a failure leaves nothing behind, neither under the
name the user asked for nor under the temporary one.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from datetime import date
from pathlib import Path

from ptclock.claim_desk import claim_for_visit_id, claims_on, modifier_reasons
from ptclock.claims import Claim
from ptclock.report.csv_export import day_csv
from ptclock.report.html import clinic_day_document, day_document, visit_document
from ptclock.report.model import (
    ClaimSummary,
    DaySummary,
    Provider,
    VisitSummary,
    claim_summary,
    day_summary,
    visit_summary,
)
from ptclock.timekeeper import Timekeeper

FORMATS = (".pdf", ".csv")
TEMPORARY_PREFIX = ".ptclock-"
TEMPORARY_SUFFIX = ".partial"
NAME_TRIES = 8
CREATE_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
# POSIX: every step names the file relative to the folder's descriptor, so a folder renamed
# or swapped for a link half-way cannot redirect the report.
FOLDER_DESCRIPTORS = hasattr(os, "O_DIRECTORY") and {os.open, os.rename, os.stat, os.unlink} <= (
    os.supports_dir_fd
)
DISK_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
NO_PERMISSION = {errno.EACCES, errno.EPERM}
UNSYNCABLE = {errno.EINVAL, errno.EBADF, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", 0)}
NO_LINKS = {errno.EPERM, errno.ENOTSUP, getattr(errno, "EOPNOTSUPP", 0), errno.EXDEV, errno.EMLINK}
"""A hard link refused by the file system itself (not a name that exists)."""


class ReportError(ValueError):
    """A report that cannot be made as asked; nothing was written."""


class ExportFailed(ReportError):
    """The disk or the folder let the export down (full, read-only, no permission, a file
    that did not read back whole); nothing was left behind. The command line exits 1."""


class _Unverified(Exception):
    """The file read back is not what was written (the message says how)."""


def temporary_name() -> str:
    """A short random name (30 characters, whatever the report's name): another user of a
    shared folder cannot guess it, and a long report name still fits in NAME_MAX."""
    return f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"


def visit_model(keeper: Timekeeper, visit_id: int) -> VisitSummary:
    """The visit's summary, signed by the visit's own provider (stored when it started), with
    the claim it is billed on (the claim desk's: its patient's, payer's and date's)."""
    tally = keeper.tally(visit_id)
    configured = Provider.from_settings(keeper.settings)
    claim = _summary(keeper, claim_for_visit_id(keeper, visit_id), configured)
    return visit_summary(tally, configured.for_visit(tally.record.visit), claim)


def day_model(keeper: Timekeeper, day: date, provider: Provider | None = None) -> DaySummary:
    """The configured provider's day: the visits recorded for them, and those recorded
    before any provider was set (``Provider.treated``) — never filtered by a name typed in
    the settings after the visits began — and the date's claims they are on. With
    ``provider`` (a clinic's day, one section each): exactly the visits recorded with that
    provider's name and NPI."""
    if provider is None:
        provider = Provider.from_settings(keeper.settings)
        visits = [v for v in keeper.store.visits_on(day) if provider.treated(v)]
    else:
        visits = [
            v
            for v in keeper.store.visits_on(day)
            if (v.provider, v.provider_npi) == (provider.name, provider.npi)
        ]
    if not visits:
        raise ReportError(f"there are no visits on {day.isoformat()}")
    ids = {v.id for v in visits}
    claims = [
        _summary(keeper, claim, provider)
        for claim in claims_on(keeper, day)
        if ids.intersection(claim.visit_ids)
    ]
    tallies = [keeper.tally(v.id) for v in visits]
    claimed = sorted({visit_id for claim in claims for visit_id in claim.visit_ids})
    others = [keeper.tally(visit_id) for visit_id in claimed] if len(claimed) > len(ids) else None
    return day_summary(day, tallies, provider, claims, others)


def _summary(keeper: Timekeeper, claim: Claim, configured: Provider) -> ClaimSummary:
    providers = [configured.for_visit(keeper.visit(visit_id)) for visit_id in claim.visit_ids]
    notes = [f"{r.code} {r.modifier}: {r.why}" for r in modifier_reasons(keeper, claim)]
    return claim_summary(claim, providers, notes)


def require_provider(provider: Provider) -> None:
    """A PDF goes out signed: with no provider name or NPI it is refused, saying what to
    fill in (nothing is written)."""
    refusal = provider.pdf_refusal()
    if refusal is not None:
        raise ReportError(refusal)


def check_destination(path: Path, allowed: tuple[str, ...] = FORMATS) -> str:
    """The format from the extension; an unknown one is an error naming the choices."""
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise ReportError(
            f"{path.name}: unknown report format {suffix or '(none)'}; use " + " or ".join(allowed)
        )
    try:
        folder = path.is_dir()
    except OSError as error:  # a name too long for the file system, a loop of links
        raise _failure(path, error) from None
    if folder:
        raise ReportError(f"{path} is a folder; give a file name")
    return suffix


PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z0-9])")
PAGE_COUNT = re.compile(rb"/Type\s*/Pages\s*/Kids\s*\[[^\]]*\]\s*/Count\s+(\d+)")
PDF_END = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
XREF_AT = re.compile(rb"xref\s|\d+\s+\d+\s+obj\b")


def pdf_problem(data: bytes, pages: int) -> str | None:
    """What is wrong with ``data`` as the PDF of ``pages`` pages Qt painted, or None.

    Read as a PDF reader starts: the header, the ``%%EOF`` trailer and the cross-reference
    table it points to (a cut-off file has neither), then the page objects and the page
    tree's count.
    """
    if not data.startswith(b"%PDF-"):
        return "it does not start as a PDF"
    end = PDF_END.search(data, max(0, len(data) - 1024))
    if end is None:
        return "the end of the PDF is missing"
    if XREF_AT.match(data, int(end.group(1))) is None:
        return "the PDF's cross-reference table is not where the trailer says"
    found = len(PAGE_OBJECT.findall(data))
    if found != pages:
        return f"it holds {found} of the {pages} pages painted"
    counts = {int(count) for count in PAGE_COUNT.findall(data)}
    if counts and counts != {pages}:
        return f"its page tree counts {min(counts)} pages, not {pages}"
    return None


class _Folder:
    """The destination folder: on POSIX a descriptor, and every name relative to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.descriptor: int | None = None
        self.syncable = False
        if FOLDER_DESCRIPTORS:
            flags = os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0)
            try:
                self.descriptor = os.open(path, os.O_RDONLY | flags)
                self.syncable = True
            except PermissionError:
                if not hasattr(os, "O_PATH"):
                    raise
                # A drop folder (write, no read): the report can still go in, unsynced.
                self.descriptor = os.open(path, os.O_PATH | flags)

    def _name(self, name: str) -> str | Path:
        return name if self.descriptor is not None else self.path / name

    def create(self, path: Path) -> tuple[str, int]:
        """A new file of our own under a fresh random name: never one that was there."""
        for _ in range(NAME_TRIES):
            name = temporary_name()
            try:
                return name, os.open(self._name(name), CREATE_FLAGS, 0o600, dir_fd=self.descriptor)
            except FileExistsError:
                continue  # someone else's file or link: left alone, another name is tried
            except OSError as error:
                if error.errno != errno.ELOOP:
                    raise
        raise ExportFailed(
            f"cannot write {path}: other files keep appearing under ptclock's temporary names"
            f" in {self.path}; nothing was written"
        )

    def rename(self, name: str, final: str) -> None:
        if self.descriptor is not None:
            os.rename(name, final, src_dir_fd=self.descriptor, dst_dir_fd=self.descriptor)
        else:
            (self.path / name).replace(self.path / final)

    def place(self, name: str, final: str) -> None:
        """Give our file the name ``final`` only if nothing has it (FileExistsError): a
        hard link, which never replaces, then our temporary name goes. Where the file system
        has no hard links (FAT, some network shares), a look first, then the rename."""
        try:
            os.link(
                self._name(name),
                self._name(final),
                src_dir_fd=self.descriptor,
                dst_dir_fd=self.descriptor,
            )
        except FileExistsError:
            raise
        except OSError as error:
            if error.errno not in NO_LINKS:
                raise
            if os.path.lexists(self.path / final):
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST)) from None
            self.rename(name, final)
            return
        self.remove(name)

    def stat(self, name: str) -> os.stat_result:
        return os.stat(self._name(name), dir_fd=self.descriptor, follow_symlinks=False)

    def remove(self, name: str) -> bool:
        """Remove our temporary file; whether nothing is left under its name."""
        try:
            os.unlink(self._name(name), dir_fd=self.descriptor)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True

    def sync(self) -> None:
        """Make the rename itself durable (POSIX); file systems that cannot are let be."""
        if self.descriptor is None or not self.syncable:
            return
        try:
            os.fsync(self.descriptor)
        except OSError as error:
            if error.errno not in UNSYNCABLE:
                raise

    def close(self) -> None:
        if self.descriptor is not None:
            with suppress(OSError):
                os.close(self.descriptor)
            self.descriptor = None


def _fill(descriptor: int, data: bytes, check: Callable[[bytes], str | None] | None) -> None:
    """Write every byte (a short or failed write is an error), sync, read back, verify."""
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, 0o600)  # owner-only whatever the umask
    view = memoryview(data)
    while view:
        count = os.write(descriptor, view)
        if count <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[count:]
    os.fsync(descriptor)
    size = os.fstat(descriptor).st_size
    if size != len(data):
        raise _Unverified(f"{size} of {len(data)} bytes reached the disk")
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    while chunk := os.read(descriptor, max(len(data), 1 << 16)):
        chunks.append(chunk)
    back = b"".join(chunks)
    if back != data:
        raise _Unverified("its bytes differ from what was written")
    problem = check(back) if check is not None else None
    if problem is not None:
        raise _Unverified(problem)


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _failure(path: Path, error: OSError | _Unverified, leftover: Path | None = None) -> ReportError:
    """One sentence naming the file and the problem; bad input stays a plain ReportError."""
    left = (
        "nothing was left behind"
        if leftover is None
        else f"the unfinished copy {leftover} could not be removed"
    )
    if isinstance(error, _Unverified):
        return ExportFailed(
            f"{path} was not saved: the file did not read back whole ({error}); {left}"
        )
    code = error.errno
    if code in DISK_FULL:
        return ExportFailed(f"the disk is full: {path} was not written; {left}")
    if code in NO_PERMISSION:
        return ExportFailed(f"cannot write {path}: no permission to write in {path.parent}; {left}")
    if code == errno.EROFS:
        return ExportFailed(f"cannot write {path}: the disk is read-only; {left}")
    if code == errno.ENAMETOOLONG:
        return ReportError(f"cannot write {path}: the file name is too long")
    if code == errno.EISDIR:
        return ReportError(f"{path} is a folder; give a file name")
    if code in (errno.ENOENT, errno.ENOTDIR) and not _is_folder(path.parent):
        return ReportError(f"cannot write {path}: there is no folder {path.parent}")
    return ExportFailed(f"cannot write {path}: {error.strerror or error}; {left}")


def write_atomically(
    path: Path,
    data: bytes,
    check: Callable[[bytes], str | None] | None = None,
    replace_existing: bool = True,
) -> Path:
    """Write ``data`` to ``path`` as the module's docstring says; ``check`` names what is
    wrong with the bytes read back (None: nothing). Returns ``path`` once it is saved.
    ``replace_existing=False``: a file already under that name is never replaced (charges
    sent before may be in it), and nothing is written."""
    try:
        folder = _Folder(path.parent)
    except OSError as error:
        raise _failure(path, error) from None
    try:
        return _write_in(folder, path, data, check, replace_existing)
    finally:
        folder.close()


def _write_in(
    folder: _Folder,
    path: Path,
    data: bytes,
    check: Callable[[bytes], str | None] | None,
    replace_existing: bool = True,
) -> Path:
    try:
        name, descriptor = folder.create(path)
    except OSError as error:
        raise _failure(path, error) from None
    try:
        try:
            _fill(descriptor, data, check)
            written = os.fstat(descriptor)
        finally:
            os.close(descriptor)
        if replace_existing:
            folder.rename(name, path.name)
        else:
            folder.place(name, path.name)
    except FileExistsError:
        folder.remove(name)
        raise ReportError(
            f"{path} already exists: give another name (it is never written over); "
            "nothing was written"
        ) from None
    except (OSError, _Unverified) as error:
        leftover = None if folder.remove(name) else folder.path / name
        raise _failure(path, error, leftover) from None
    except BaseException:
        folder.remove(name)
        raise
    try:
        folder.sync()
        now = folder.stat(path.name)
    except OSError as error:
        raise ExportFailed(
            f"{path} was written but the disk did not confirm it is stored"
            f" ({error.strerror or error}); export it again"
        ) from None
    if (now.st_dev, now.st_ino, now.st_size) != (written.st_dev, written.st_ino, len(data)):
        raise ExportFailed(f"{path} was replaced by another program as it was saved")
    return path


def _pdf(keeper: Timekeeper, path: Path, html: str, header: str, title: str) -> Path:
    from ptclock.report.render import RenderError, render_pdf

    try:
        printed_at = keeper.clock.now().astimezone(keeper.clock.zone())
        page_size = keeper.settings.page_size
        rendered = render_pdf(html, page_size, header, title, printed_at)
    except RenderError as error:
        raise ExportFailed(f"cannot write {path}: {error}; nothing was written") from None
    problem = pdf_problem(rendered.data, rendered.pages)
    if problem is not None:
        raise ExportFailed(f"cannot write {path}: the PDF came out damaged ({problem})")
    return write_atomically(path, rendered.data, lambda data: pdf_problem(data, rendered.pages))


def export_visit(keeper: Timekeeper, visit_id: int, path: Path) -> Path:
    check_destination(path, (".pdf",))
    summary = visit_model(keeper, visit_id)
    require_provider(summary.provider)
    header = f"Visit summary · {summary.patient} · DOS {summary.date_of_service.isoformat()}"
    return _pdf(keeper, path, visit_document(summary), header, "Visit summary")


def export_day(keeper: Timekeeper, day: date, path: Path) -> Path:
    suffix = check_destination(path)
    model = day_model(keeper, day)
    if suffix == ".csv":
        return write_atomically(path, day_csv(model).encode("utf-8"))
    require_provider(model.provider)
    for visit in model.visits:
        require_provider(visit.provider)
    header = f"Day report · {model.provider.name or 'provider'} · {day.isoformat()}"
    return _pdf(keeper, path, day_document(model), header, "Day report")


def clinic_day_models(clinic: Timekeeper, day: date) -> list[DaySummary]:
    """One day per provider of the clinic's visits on ``day`` (``clinic``: a Timekeeper on
    the clinic's records, ``ptclock.clinic.clinic_day``), by name and NPI as each visit
    recorded them; the clinic's name and address are this computer's settings."""
    configured = Provider.from_settings(clinic.settings)
    providers: dict[tuple[str, str], Provider] = {}
    for visit in clinic.store.visits_on(day):
        who = replace(
            configured,
            name=visit.provider,
            credentials=visit.provider_credentials,
            npi=visit.provider_npi,
        )
        providers.setdefault((visit.provider, visit.provider_npi), who)
    if not providers:
        raise ReportError(f"the clinic has no visits on {day.isoformat()}")
    return [day_model(clinic, day, providers[key]) for key in sorted(providers)]


def export_clinic_day(clinic: Timekeeper, day: date, path: Path) -> Path:
    """The clinic's day report: PDF with a section per provider, or CSV with every claim
    of the day once (a claim two providers share lists both)."""
    suffix = check_destination(path)
    days = clinic_day_models(clinic, day)
    if suffix == ".csv":
        claims = {claim.visit_ids: claim for d in days for claim in d.claims}
        merged = replace(days[0], claims=tuple(claims[key] for key in sorted(claims)))
        return write_atomically(path, day_csv(merged).encode("utf-8"))
    unsigned = [one for one in days if one.provider.pdf_refusal() is not None]
    if unsigned:
        count = sum(len(one.visits) for one in unsigned)
        raise ReportError(
            f"{count} visit{'' if count == 1 else 's'} of {day.isoformat()} "
            f"{'was' if count == 1 else 'were'} recorded on a workstation with no provider's "
            "name or NPI set: set them there (Tools → Settings…); the clinic's CSV lists "
            "every visit meanwhile. Nothing was written"
        )
    header = f"Clinic day report · {day.isoformat()}"
    return _pdf(clinic, path, clinic_day_document(days), header, "Clinic day report")


def suggested_name(summary: VisitSummary) -> str:
    """2026-11-27-AL-visit-12.pdf: the date and the patient's initials, never the full name."""
    initials = "".join(word[0] for word in summary.patient.split() if word[:1].isalpha())
    initials = "".join(ch for ch in initials.upper() if ch.isalnum())[:4] or "X"
    return f"{summary.date_of_service.isoformat()}-{initials}-visit-{summary.visit_id}.pdf"
