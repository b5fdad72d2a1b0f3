"""What happens on this machine: photo proxies, local upload checks, the token cache."""

from __future__ import annotations

import hashlib
import json
import stat
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from lapsefile.backends.nemo.auth import CACHE_NAME, Credentials, CredentialStore
from lapsefile.backends.nemo.proxies import prepare_frame, proxy_dir
from lapsefile.backends.nemo.uploads import check_uploadable
from lapsefile.errors import FileTooLarge, TokenError, UnsupportedFile
from lapsefile.project.exif import read_capture_time
from lapsefile.project.model import InputFile
from lapsefile.spec.model import Output

WHEN = datetime(2024, 5, 1, 18, 30, 15)


def _photo(path: Path, size: tuple[int, int], orientation: int | None = None) -> InputFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size)
    image.putdata([(x * 7 % 256, y * 5 % 256, (x + y) % 256)
                   for y in range(size[1]) for x in range(size[0])])
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = WHEN.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x010F] = "TestCam"
    if orientation:
        exif[0x0112] = orientation
    image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    data = path.read_bytes()
    return InputFile(f"photos/{path.name}", path, len(data), path.stat().st_mtime_ns,
                     hashlib.sha256(data).hexdigest())


def _output(width: int, height: int, fit: str = "cover") -> Output:
    return Output("main", "out/main.mp4", width, height, "16:9", fit=fit)


def test_a_large_photo_becomes_a_stable_upright_proxy_keeping_its_capture_time(tmp_path):
    photo = _photo(tmp_path / "photos" / "IMG_1.jpg", (300, 200), orientation=6)
    first = prepare_frame(photo, _output(64, 36), 2560, tmp_path)
    assert first.path.parent == proxy_dir(tmp_path) and first.filename == "IMG_1.jpg"
    with Image.open(first.path) as proxy:
        # Upright (90 degrees turned by orientation 6) and just big enough to cover 64x36.
        assert proxy.size == (64, 96)
        assert proxy.getexif().get(0x0112) is None and proxy.getexif()[0x010F] == "TestCam"
    assert read_capture_time(first.path) == WHEN
    assert first.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    first.path.unlink()
    again = prepare_frame(photo, _output(64, 36), 2560, tmp_path)
    assert again.sha256 == first.sha256  # same bytes: found again by hash next run


def test_proxy_sizes_follow_fit_and_the_cap(tmp_path):
    photo = _photo(tmp_path / "photos" / "IMG_2.jpg", (300, 200))
    contain = prepare_frame(photo, _output(64, 64, fit="contain"), 2560, tmp_path)
    capped = prepare_frame(photo, _output(1920, 1080), 120, tmp_path)
    with Image.open(contain.path) as a, Image.open(capped.path) as b:
        assert a.size == (64, 43) and b.size == (120, 80)


def test_a_photo_already_small_enough_is_sent_as_it_is(tmp_path):
    photo = _photo(tmp_path / "photos" / "IMG_3.jpg", (48, 32))
    upload = prepare_frame(photo, _output(160, 90), 2560, tmp_path)
    assert (upload.path, upload.sha256, upload.size) == (photo.path, photo.sha256, photo.size)
    assert not proxy_dir(tmp_path).exists()


def test_files_the_service_would_refuse_are_refused_before_sending(tmp_path):
    photo = _photo(tmp_path / "photos" / "IMG_4.jpg", (48, 32))
    upload = prepare_frame(photo, _output(160, 90), 2560, tmp_path)
    check_uploadable(upload)
    with pytest.raises(UnsupportedFile, match="accepted types: mp4.*jpg"):
        check_uploadable(upload.__class__(photo.path, "0" * 64, 10, "scan.tiff", "scan.tiff"))
    with pytest.raises(FileTooLarge, match="over the service's 500 MB limit"):
        check_uploadable(upload.__class__(photo.path, "0" * 64, 600 * 2**20, "clip.mp4",
                                          "clip.mp4"))


class FakeTokenEndpoint:
    def __init__(self) -> None:
        self.client_ids: list[str] = []

    def __call__(self, client_id: str) -> dict:
        self.client_ids.append(client_id)
        return {"token": f"nmv_usr_secret{len(self.client_ids)}", "user_id": "anon_7",
                "expires_at": "2099-01-01T00:00:00Z"}


def test_the_anonymous_token_is_cached_privately_and_renewed_for_the_same_client(tmp_path):
    env = {"LAPSEFILE_CONFIG_DIR": str(tmp_path / "cfg")}
    endpoint = FakeTokenEndpoint()
    store = CredentialStore("http://api", endpoint, env)
    creds = store.current()
    assert creds.token == "nmv_usr_secret1" and creds.anonymous and creds.user_id == "anon_7"
    cache = tmp_path / "cfg" / CACHE_NAME
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert str(uuid.UUID(endpoint.client_ids[0])) == endpoint.client_ids[0]
    assert CredentialStore("http://api", endpoint, env).current() == creds  # from the cache
    assert store.renew(creds).token == "nmv_usr_secret2"
    assert store.renew(creds).token == "nmv_usr_secret2"  # already renewed: not again
    assert len(set(endpoint.client_ids)) == 1 and len(endpoint.client_ids) == 2
    assert CredentialStore("http://other", endpoint, env).current().token == "nmv_usr_secret3"
    data = json.loads(cache.read_text())
    assert set(data["tokens"]) == {"http://api", "http://other"}
    assert [p.name for p in cache.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert "secret" not in repr(creds) + str(creds) + repr(store)


def test_an_expired_cached_token_is_replaced(tmp_path):
    env = {"LAPSEFILE_CONFIG_DIR": str(tmp_path)}
    (tmp_path / CACHE_NAME).write_text(json.dumps({"client_id": "cid", "tokens": {
        "http://api": {"token": "old", "user_id": "u", "expires_at": 1000.0}}}))
    endpoint = FakeTokenEndpoint()
    assert CredentialStore("http://api", endpoint, env).current().token == "nmv_usr_secret1"
    assert endpoint.client_ids == ["cid"]


def test_a_registered_token_comes_from_the_environment_and_is_never_replaced(tmp_path):
    env = {"LAPSEFILE_CONFIG_DIR": str(tmp_path), "NEMO_TOKEN": "nmv_usr_mine"}
    endpoint = FakeTokenEndpoint()
    store = CredentialStore("http://api", endpoint, env)
    assert store.current() == Credentials("nmv_usr_mine", anonymous=False)
    with pytest.raises(TokenError, match="NEMO_TOKEN") as caught:
        store.renew()
    assert "nmv_usr_mine" not in str(caught.value)
    assert endpoint.client_ids == [] and not (tmp_path / CACHE_NAME).exists()
