#!/usr/bin/env python3
"""META.json against the PGXN Meta Spec 1.0.0 (https://pgxn.org/spec/) and against this tree:
the keys PGXN requires with the types it requires, semantic versions, release_status, a licence
PGXN knows, prereqs by phase and relation, and that provides names the control file's extension
at its default_version, with files that exist. Prints one line per problem; exit 1 if any."""
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+)?$")
# A prerequisite's version: "0" (any) or a semver, optionally behind comparison operators.
PREREQ = re.compile(r"^\s*(0|((>=|<=|==|!=|>|<)?\s*" + SEMVER.pattern[1:-1] + r"))\s*(,\s*((>=|<=|==|!=|>|<)\s*)?"
                    + SEMVER.pattern[1:-1] + r"\s*)*$")
LICENSES = {"agpl_3", "apache_1_1", "apache_2_0", "artistic_1", "artistic_2", "bsd", "freebsd", "gfdl_1_2",
            "gfdl_1_3", "gpl_1", "gpl_2", "gpl_3", "lgpl_2_1", "lgpl_3_0", "mit", "mozilla_1_0", "mozilla_1_1",
            "openssl", "perl_5", "postgresql", "qpl_1_0", "ssleay", "sun", "zlib", "open_source",
            "restricted", "unrestricted", "unknown"}
problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


meta = json.load(open(os.path.join(ROOT, "META.json"), encoding="utf-8"))
for key, kind in [("name", str), ("abstract", str), ("version", str), ("maintainer", (str, list)),
                  ("license", (str, list, dict)), ("provides", dict), ("meta-spec", dict)]:
    need(isinstance(meta.get(key), kind), f"{key}: required, a {kind}")
need(meta.get("meta-spec", {}).get("version") == "1.0.0", "meta-spec.version: must be 1.0.0")
need(bool(SEMVER.match(meta.get("version", ""))), f"version {meta.get('version')!r}: not a semantic version")
need(meta.get("release_status", "stable") in {"stable", "testing", "unstable"},
     f"release_status {meta.get('release_status')!r}: stable, testing or unstable")
lic = meta.get("license")
need(isinstance(lic, dict) or lic in LICENSES or (isinstance(lic, list) and set(lic) <= LICENSES),
     f"license {lic!r}: not one PGXN knows")
need(re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$", meta.get("name", "")) is not None, "name: letters, digits, _ . -")

control = open(os.path.join(ROOT, "thelook_datagen.control"), encoding="utf-8").read()
default_version = re.search(r"^default_version = '(.*)'", control, re.M).group(1)
ext = meta.get("provides", {}).get("thelook_datagen")
need(isinstance(ext, dict), "provides: must describe extension thelook_datagen (the control file's)")
if isinstance(ext, dict):
    need(bool(SEMVER.match(ext.get("version", ""))), "provides.thelook_datagen.version: not a semantic version")
    need(ext.get("version", "").startswith(default_version + "."),
         f"provides.thelook_datagen.version {ext.get('version')!r}: not default_version {default_version}")
    need(isinstance(ext.get("file"), str) and os.path.isfile(os.path.join(ROOT, ext["file"])),
         f"provides.thelook_datagen.file {ext.get('file')!r}: no such file")
    if "docfile" in ext:
        need(os.path.isfile(os.path.join(ROOT, ext["docfile"])), f"provides.thelook_datagen.docfile: no such file")
need(meta.get("version") == (ext or {}).get("version"), "version: the distribution's differs from the extension's")

for phase, relations in meta.get("prereqs", {}).items():
    need(phase in {"configure", "build", "test", "runtime", "develop"}, f"prereqs.{phase}: not a phase")
    for relation, reqs in relations.items():
        need(relation in {"requires", "recommends", "suggests", "conflicts"}, f"prereqs.{phase}.{relation}: not a relation")
        for name, version in reqs.items():
            need(isinstance(version, str) and PREREQ.match(version) is not None,
                 f"prereqs.{phase}.{relation}.{name} {version!r}: not a version range")
need(meta.get("prereqs", {}).get("runtime", {}).get("requires", {}).get("PostgreSQL") is not None,
     "prereqs.runtime.requires.PostgreSQL: missing")
for key in meta.get("resources", {}):
    need(key in {"homepage", "bugtracker", "repository"} or key.lower().startswith("x_"),
         f"resources.{key}: not a resource PGXN knows (custom keys start with x_)")
for key in meta:
    need(key in {"name", "abstract", "description", "version", "maintainer", "license", "provides", "meta-spec",
                 "prereqs", "release_status", "resources", "no_index", "tags", "generated_by"}
         or key.lower().startswith("x_"), f"{key}: not a key of the spec (custom keys start with x_)")
need(all(isinstance(t, str) and 0 < len(t) < 256 for t in meta.get("tags", [])), "tags: strings of 1 to 255 characters")

for p in problems:
    print("META.json:", p)
print(f"META.json: {'valid' if not problems else str(len(problems)) + ' problem(s)'} (PGXN Meta Spec 1.0.0, "
      f"provides thelook_datagen {(ext or {}).get('version')})")
sys.exit(1 if problems else 0)
