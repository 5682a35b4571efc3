"""Uploads: the size limit (announced or counted), dropped connections, concurrent senders."""

from __future__ import annotations

import http.client
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.portal.conftest import MAX_BYTES, PARTNER_A, multipart, placements_csv


def _oversized() -> bytes:
    data = placements_csv(rows=7000, tag="BIG")
    assert len(data) > MAX_BYTES + 64 * 1024
    return data


def _nothing_new(portal, manifests, files) -> None:
    assert portal.manifests() == manifests
    assert portal.stored_files() == files
    assert portal.scratch_files() == []


def test_an_upload_announced_too_large_is_refused_and_nothing_kept(portal):
    client = portal.client(PARTNER_A)
    before = portal.manifests(), portal.stored_files()
    response = client.upload(_oversized(), file_name="gros.csv")
    assert response.status == 413
    assert "taille maximale" in response.text
    _nothing_new(portal, *before)


def test_an_upload_that_grows_too_large_while_streaming_is_refused(portal):
    """No Content-Length (chunked): the portal counts the bytes as they arrive."""
    client = portal.client(PARTNER_A)
    token = client.csrf("/espace")
    before = portal.manifests(), portal.stored_files()
    body, content_type = multipart(
        {"csrf": token, "type": "placements"}, ("fichier", "gros.csv", _oversized())
    )
    connection = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=30)
    connection.putrequest("POST", "/envoi")
    connection.putheader("Content-Type", content_type)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Cookie", _cookie_header(client))
    connection.endheaders()
    try:
        for start in range(0, len(body), 16 * 1024):
            chunk = body[start : start + 16 * 1024]
            connection.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        connection.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the portal may stop reading once the limit is passed
    response = connection.getresponse()
    assert response.status == 413
    connection.close()
    _nothing_new(portal, *before)


def test_a_connection_dropped_mid_upload_leaves_nothing(portal):
    client = portal.client(PARTNER_A)
    token = client.csrf("/espace")
    before = portal.manifests(), portal.stored_files()
    body, content_type = multipart(
        {"csrf": token, "type": "placements"},
        ("fichier", "coupe.csv", placements_csv(rows=2000, tag="DROP")),
    )
    with socket.create_connection(("127.0.0.1", portal.port)) as raw:
        raw.sendall(
            (
                "POST /envoi HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                f"Cookie: {_cookie_header(client)}\r\n\r\n"
            ).encode()
            + body[: len(body) // 2]
        )
        time.sleep(0.5)  # the portal has begun writing the file part
    deadline = time.monotonic() + 10
    while portal.scratch_files() and time.monotonic() < deadline:
        time.sleep(0.1)
    _nothing_new(portal, *before)
    # The portal still serves, and the same content sent whole is kept.
    assert client.upload(placements_csv(rows=2000, tag="DROP")).status == 303


def test_twenty_concurrent_uploads_are_all_stored_with_their_receipts(portal):
    client = portal.client(PARTNER_A)
    token = client.csrf("/espace")
    tags = [f"C{i:02d}{uuid.uuid4().hex[:6]}" for i in range(20)]
    before = portal.manifests()
    with ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda t: client.upload(placements_csv(tag=t), csrf=token), tags))
    assert [r.status for r in responses] == [303] * 20
    ids = {r.location.rsplit("/", 1)[1] for r in responses}
    assert len(ids) == 20
    assert {f"{i}.json" for i in ids} == portal.manifests() - before
    for sub_id in ids:
        receipt = client.get(f"/envois/{sub_id}/accuse.json")
        assert receipt.status == 200
        assert '"accepted": true' in receipt.text


def _cookie_header(client) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.jar)
