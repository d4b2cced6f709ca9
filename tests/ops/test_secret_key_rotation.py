"""SECRET_KEY rotation with SECRET_KEY_FALLBACKS keeps people signed in; without it, it does not."""

from __future__ import annotations


def test_the_old_key_as_fallback_keeps_a_session(client_for, alex, settings):
    client = client_for(alex)
    assert client.get("/").status_code == 200
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-0123456789-abcdefghijklmnopqrstuvwxyz"
    settings.SECRET_KEY_FALLBACKS = [old]
    assert client.get("/").status_code == 200


def test_without_the_fallback_a_rotation_signs_everyone_out(client_for, alex, settings):
    client = client_for(alex)
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-0123456789-abcdefghijklmnopqrstuvwxyz"
    settings.SECRET_KEY_FALLBACKS = []
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
