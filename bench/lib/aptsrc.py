#!/usr/bin/env python3
"""Print the Debian mirror URI (and keyring, if any) this machine's apt uses
for a suite, read from /etc/apt/sources.list and /etc/apt/sources.list.d.

Output: "URI<TAB>KEYRING" (KEYRING may be empty).  Exit 1 if none is found.
Prefers an entry whose Suites list the suite itself (not -security/-updates).
"""
import glob
import os
import sys


def one_line_entries(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if not words or words[0] != "deb":
                continue
            words = words[1:]
            keyring = ""
            if words and words[0].startswith("["):
                opts = []
                while words:
                    w = words.pop(0)
                    opts.append(w.strip("[]"))
                    if w.endswith("]"):
                        break
                for o in opts:
                    if o.startswith("signed-by="):
                        keyring = o.split("=", 1)[1]
            if len(words) >= 2:
                yield words[0], [words[1]], keyring


def deb822_entries(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for para in text.split("\n\n"):
        fields = {}
        key = None
        for line in para.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0] in " \t" and key:
                fields[key] += " " + line.strip()
                continue
            if ":" in line:
                key, val = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = val.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        suites = fields.get("suites", "").split()
        keyring = fields.get("signed-by", "")
        if "\n" in keyring or " " in keyring:  # inline key block: not a path
            keyring = ""
        for uri in fields.get("uris", "").split():
            yield uri, suites, keyring


def main():
    suite = sys.argv[1] if len(sys.argv) > 1 else "bookworm"
    entries = []
    files = ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
    for path in files:
        if os.path.isfile(path):
            entries.extend(one_line_entries(path))
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        entries.extend(deb822_entries(path))
    for uri, suites, keyring in entries:
        if suite in suites:
            print(f"{uri.rstrip('/')}\t{keyring if os.path.isfile(keyring) else ''}")
            return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
