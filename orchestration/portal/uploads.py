"""Read a multipart upload as it streams in, with a size limit, into a temporary file.

The file part goes to a temporary file beside the store (same filesystem), counted as it
arrives; past the limit, or when the client goes away, the temporary file is deleted and
nothing reaches the intake. The client's file name is kept as text only, never as a path.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

MAX_FIELDS = 8
MAX_FIELD_BYTES = 4096
# Room for the boundaries, part headers and small fields around the file in a multipart body.
MULTIPART_OVERHEAD = 64 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")


class UploadRefused(Exception):
    """The body cannot be accepted; ``status`` is the HTTP answer, ``message`` in French."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Upload:
    """Small form fields and, at most, one file kept in a temporary file."""

    fields: dict[str, str] = field(default_factory=dict)
    file_path: Path | None = None
    file_name: str | None = None
    size: int = 0

    def discard(self) -> None:
        if self.file_path is not None:
            self.file_path.unlink(missing_ok=True)
            self.file_path = None


def client_file_name(raw: str | None) -> str:
    """The base name of what the browser says the file was called, as plain text."""
    text = raw or ""
    name = PureWindowsPath(PurePosixPath(text).name).name
    name = _UNSAFE_NAME.sub("", name).strip()
    return name[:200] or "fichier.csv"


def too_large_message(max_bytes: int) -> str:
    return (
        f"Le fichier dépasse la taille maximale acceptée ({max_bytes / 1e6:.1f} Mo). "
        "Découpez-le par période et envoyez chaque partie séparément."
    )


async def read_upload(request: Request, scratch_dir: Path, max_bytes: int) -> Upload:
    """Stream the request's multipart body; raise ``UploadRefused`` on any problem.

    On success the caller owns ``Upload.file_path`` and must ``discard()`` it.
    """
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "Formulaire d'envoi invalide.")
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > max_bytes + MULTIPART_OVERHEAD:
        raise UploadRefused(413, too_large_message(max_bytes))

    scratch_dir.mkdir(parents=True, exist_ok=True)
    reader = _PartReader(scratch_dir, max_bytes)
    parser = MultipartParser(boundary, reader.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not reader.ended:
            raise UploadRefused(400, "Envoi incomplet : le fichier n'est pas arrivé en entier.")
    except BaseException:
        # Too large, malformed, or the client went away (ClientDisconnect): keep nothing.
        reader.abort()
        raise
    return reader.upload


class _PartReader:
    """The parser's callbacks: headers per part, small fields in memory, the file on disk."""

    def __init__(self, scratch_dir: Path, max_bytes: int):
        self.scratch_dir = scratch_dir
        self.max_bytes = max_bytes
        self.upload = Upload()
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: str | None = None
        self._buffer = bytearray()
        self._handle = None

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._headers = {}
        self._field = None
        self._buffer = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise UploadRefused(400, "Formulaire d'envoi invalide.")
        name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            if self.upload.file_path is not None:
                raise UploadRefused(400, "Un seul fichier par envoi.")
            fd, path = tempfile.mkstemp(dir=self.scratch_dir, prefix=".upload-", suffix=".part")
            self._handle = os.fdopen(fd, "wb")
            self.upload.file_path = Path(path)
            self.upload.file_name = client_file_name(
                options[b"filename"].decode("utf-8", "replace")
            )
            self._field = None
        else:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise UploadRefused(400, "Formulaire d'envoi invalide.")
            self._field = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._handle is not None:
            self.upload.size += end - start
            if self.upload.size > self.max_bytes:
                raise UploadRefused(413, too_large_message(self.max_bytes))
            self._handle.write(data[start:end])
        else:
            self._buffer += data[start:end]
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise UploadRefused(400, "Formulaire d'envoi invalide.")

    def _part_end(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        elif self._field is not None:
            self.upload.fields[self._field] = self._buffer.decode("utf-8", "replace")

    def _end(self) -> None:
        self.ended = True

    def abort(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        self.upload.discard()
