#!/usr/bin/env python3
"""Writes the key sets and identity-token fixtures of the ci-deploy and spiffe-agent examples.

Keys come from `openssl genpkey` and are thrown away afterwards; only the public keys (as a JWKS
and as a SPIFFE trust bundle) and the signed tokens are kept. Every token is issued at
2027-01-15T08:00:00Z and expires ten minutes later, so tests and examples pin the clock with
`--now 2027-01-15T08:01:00Z`. Needs python3 with PyJWT and cryptography, and openssl.

    python3 policies/examples/make-identity-tokens.py
"""
import base64
import json
import os
import subprocess
import tempfile

import jwt
from cryptography.hazmat.primitives import serialization

HERE = os.path.dirname(os.path.abspath(__file__))
IAT = 1_800_000_000  # 2027-01-15T08:00:00Z
EXP = IAT + 600


def genpkey(directory, name, *args):
    path = os.path.join(directory, name)
    subprocess.run(["openssl", "genpkey", *args, "-out", path], check=True, capture_output=True)
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def b64(n, size=None):
    size = size or (n.bit_length() + 7) // 8
    return base64.urlsafe_b64encode(n.to_bytes(size, "big")).rstrip(b"=").decode()


def rsa_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    return {"kty": "RSA", "kid": kid, "alg": "RS256", "use": "sig", "n": b64(numbers.n), "e": b64(numbers.e)}


def ec_jwk(key, kid, size):
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "kid": kid, "use": "jwt-svid", "crv": "P-256", "x": b64(numbers.x, size), "y": b64(numbers.y, size)}


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def b64json(value):
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()


def ci_claims(**changes):
    # The claims GitHub Actions puts in a job's OIDC token, for a push to main of acme/web.
    claims = {
        "jti": "6f1c2b4e-8a51-4f7e-9c2d-3b0f5a1e7d90",
        "sub": "repo:acme/web:ref:refs/heads/main",
        "aud": "stepguard",
        "ref": "refs/heads/main",
        "sha": "8d3f2c1b7e6a5d4c3b2a19087f6e5d4c3b2a1908",
        "repository": "acme/web",
        "repository_owner": "acme",
        "repository_id": "74125802",
        "run_id": "9120488213",
        "run_number": "812",
        "run_attempt": "1",
        "actor": "octo-dev",
        "actor_id": "5811234",
        "workflow": "deploy",
        "workflow_ref": "acme/web/.github/workflows/deploy.yml@refs/heads/main",
        "event_name": "push",
        "ref_type": "branch",
        "ref_protected": "true",
        "environment": "production",
        "job_workflow_ref": "acme/web/.github/workflows/deploy.yml@refs/heads/main",
        "runner_environment": "github-hosted",
        "iss": "https://token.actions.githubusercontent.com",
        "nbf": IAT - 5,
        "exp": EXP,
        "iat": IAT,
    }
    claims.update(changes)
    return claims


def ci(directory):
    key = genpkey(directory, "ci.key", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
    stranger = genpkey(directory, "stranger.key", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048")
    kid = "ci-2027-01"
    base = os.path.join(HERE, "ci-deploy")
    write(os.path.join(base, "trust", "github-actions.jwks.json"), json.dumps({"keys": [rsa_jwk(key, kid)]}, indent=2) + "\n")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def sign(claims, headers=None, signing_key=pem):
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid, "typ": "JWT", **(headers or {})})

    feature = "refs/heads/feature-login"
    tokens = {
        "main": sign(ci_claims()),
        "feature-branch": sign(ci_claims(sub="repo:acme/web:ref:" + feature, ref=feature,
                                         workflow_ref="acme/web/.github/workflows/deploy.yml@" + feature,
                                         job_workflow_ref="acme/web/.github/workflows/deploy.yml@" + feature)),
        "expired": sign(ci_claims(iat=IAT - 3600, nbf=IAT - 3605, exp=IAT - 3000)),
        "wrong-audience": sign(ci_claims(aud="https://github.com/acme")),
        "wrong-issuer": sign(ci_claims(iss="https://token.actions.example")),
        "unknown-kid": jwt.encode(ci_claims(), stranger.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                                      serialization.NoEncryption()),
                                  algorithm="RS256", headers={"kid": "ci-2026-07", "typ": "JWT"}),
        "other-repository": sign(ci_claims(sub="repo:acme/docs:ref:refs/heads/main", repository="acme/docs")),
    }
    # Header ES256 on the RSA key's kid: refused before the signature is looked at.
    good = tokens["main"].split(".")
    tokens["alg-mismatch"] = ".".join([b64json({"alg": "ES256", "kid": kid, "typ": "JWT"}), good[1], good[2]])
    # The payload of the main-branch token with the feature branch's signature parts swapped in.
    feature_parts = tokens["feature-branch"].split(".")
    tokens["tampered"] = ".".join([good[0], feature_parts[1], good[2]])
    for name, token in tokens.items():
        write(os.path.join(base, "tokens", name + ".jwt"), token + "\n")


def spiffe(directory):
    key = genpkey(directory, "svid.key", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
    stranger = genpkey(directory, "stranger-ec.key", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
    kid = "corp-jwt-2027a"
    base = os.path.join(HERE, "spiffe-agent")
    bundle = {"spiffe_sequence": 42, "spiffe_refresh_hint": 300, "keys": [ec_jwk(key, kid, 32)]}
    write(os.path.join(base, "trust", "corp.example.bundle.json"), json.dumps(bundle, indent=2) + "\n")
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def svid(sub="spiffe://corp.example/agents/report-bot", signing_key=pem, header_kid=kid, **changes):
        claims = {"sub": sub, "aud": ["stepguard"], "exp": EXP, "iat": IAT}
        claims.update(changes)
        return jwt.encode(claims, signing_key, algorithm="ES256", headers={"kid": header_kid, "typ": "JWT"})

    stranger_pem = stranger.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tokens = {
        "report-bot": svid(),
        "mail-bot": svid(sub="spiffe://corp.example/agents/mail-bot"),
        "expired": svid(exp=IAT - 60, iat=IAT - 660),
        "wrong-audience": svid(aud=["billing"]),
        "unknown-kid": svid(signing_key=stranger_pem, header_kid="corp-jwt-2026z"),
        "foreign-domain": svid(sub="spiffe://evil.example/agents/report-bot"),
        "not-a-spiffe-id": svid(sub="report-bot"),
        "no-audience": jwt.encode({"sub": "spiffe://corp.example/agents/report-bot", "exp": EXP, "iat": IAT}, pem,
                                  algorithm="ES256", headers={"kid": kid, "typ": "JWT"}),
    }
    good = tokens["report-bot"].split(".")
    tokens["alg-mismatch"] = ".".join([b64json({"alg": "ES384", "kid": kid, "typ": "JWT"}), good[1], good[2]])
    tokens["alg-none"] = ".".join([b64json({"alg": "none", "typ": "JWT"}), good[1], ""])
    tokens["alg-hmac"] = ".".join([b64json({"alg": "HS256", "kid": kid, "typ": "JWT"}), good[1], good[2]])
    for name, token in tokens.items():
        write(os.path.join(base, "tokens", name + ".jwt"), token + "\n")


with tempfile.TemporaryDirectory() as scratch:
    ci(scratch)
    spiffe(scratch)
