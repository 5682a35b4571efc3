"""Portal accounts keep only salted scrypt hashes and check secrets without leaking them."""

from __future__ import annotations

import stat

import pytest

from orchestration.portal.accounts import AccountError, AccountStore
from orchestration.portal.uploads import client_file_name


def test_secrets_are_hashed_with_a_salt_per_account_and_checked(tmp_path):
    store = AccountStore(tmp_path)
    one = store.create("CAF40", role="partner", partner="CAF40")
    two = store.create("CD40", role="partner", partner="CD40")
    text = store.path.read_text()
    assert one not in text and two not in text
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    records = store._read()["accounts"]
    assert records["CAF40"]["salt"] != records["CD40"]["salt"]
    assert store.verify("CAF40", one).partner == "CAF40"
    assert store.verify("CAF40", two) is None
    assert store.verify("nobody", one) is None


def test_rotation_replaces_the_secret_and_bumps_the_generation(tmp_path):
    store = AccountStore(tmp_path)
    old = store.create("equipe", role="engineer")
    new = store.rotate("equipe")
    assert store.verify("equipe", old) is None
    account = store.verify("equipe", new)
    assert account.may("see_all_partners") and account.partner is None and account.generation == 2
    with pytest.raises(AccountError):
        store.create("equipe", role="engineer")
    with pytest.raises(AccountError):
        store.rotate("absent")
    with pytest.raises(AccountError):
        store.create("../etc", role="engineer")


def test_client_file_names_are_kept_as_a_plain_base_name():
    assert client_file_name("../../etc/passwd") == "passwd"
    assert client_file_name("C:\\Users\\caf\\places 2017.csv") == "places 2017.csv"
    assert client_file_name("a\x00b\nc.csv") == "abc.csv"
    assert client_file_name("") == "fichier.csv"
