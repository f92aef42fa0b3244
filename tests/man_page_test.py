#!/usr/bin/env python3
"""Checks the man page that the build made from adflag's help.

The page must exist, render with man(1) and with groff -ww (every
warning) without a single warning,
be found by `man adflag` once installed, and hold every subcommand that
`adflag --help` lists and every option and positional of every
subcommand's help, with its description, as the binary prints them now.

    man_page_test.py ADFLAG MAN_PAGE CMAKE BUILD_DIR
"""

import os
import pathlib
import re
import subprocess
import sys
import tempfile


def fail(message):
    sys.exit("man_page_test: " + message)


def help_text(adflag, *subcommand):
    result = subprocess.run([adflag, *subcommand, "--help"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"adflag {' '.join(subcommand)} --help exited "
             f"{result.returncode}")
    return result.stdout


def help_entries(text, section):
    """Returns (name column, description) of each entry of one section
    of CLI11's help, the description joined into one line."""
    entries = []
    inside = False
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            inside = line == section + ":"
        elif inside and re.match(r"^  \S", line):
            name, _, said = line.strip().partition("  ")
            entries.append([name, said.strip()])
        elif inside and entries and line.strip():
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
    return entries


def render(command):
    """Runs a command that renders the page and returns its output; fails
    on any warning or a non-zero exit."""
    environment = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
    result = subprocess.run(command, capture_output=True, text=True,
                            env=environment)
    if result.returncode != 0 or result.stderr:
        fail(f"{' '.join(command)} exited {result.returncode}: "
             f"{result.stderr.strip()}")
    return result.stdout


def flat(text):
    """Returns text with every run of whitespace made one space."""
    return " ".join(text.split())


def page_section(page, heading):
    """Returns the rendered text under one heading of the page (a section
    such as OPTIONS, or a subcommand's part of COMMANDS), flattened, or
    fails when the page has no such heading."""
    lines = page.splitlines()
    if heading not in lines:
        fail(f"the page has no heading '{heading.strip()}'")
    start = lines.index(heading) + 1
    end = start
    while end < len(lines) and not re.match(r"^ {0,3}\S", lines[end]):
        end += 1
    return flat("\n".join(lines[start:end]))


def installed_page(cmake, build_dir):
    """Installs the build into a temporary prefix and renders
    `man adflag` from there."""
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([cmake, "--install", build_dir, "--prefix", prefix],
                       check=True, capture_output=True)
        page = pathlib.Path(prefix, "share/man/man1/adflag.1")
        if not page.is_file():
            fail(f"cmake --install put no {page.relative_to(prefix)}")
        return render(["man", "--warnings", "-M",
                       str(pathlib.Path(prefix, "share/man")), "-P", "cat",
                       "adflag"])


def check_entries(page, adflag, *subcommand):
    """Fails unless every option and positional of the help of adflag or
    of one subcommand is in its section of the page, with its
    description. Returns how many there are."""
    text = help_text(adflag, *subcommand)
    who = " ".join(["adflag", *subcommand])
    section = page_section(page, "   " + subcommand[0] if subcommand
                           else "OPTIONS")
    entries = (help_entries(text, "Options") +
               help_entries(text, "Positionals"))
    if not entries:
        fail(f"{who} --help lists no options")
    for name, said in entries:
        names, _, rest = name.partition(" ")
        tag = flat(", ".join(names.split(",")) + " " + rest)
        if flat(tag + " " + said) not in section:
            fail(f"the section of {who} lacks '{tag}' "
                 f"with '{said}'")
    return len(entries)


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: man_page_test.py ADFLAG MAN_PAGE CMAKE BUILD_DIR")
    adflag, man_page, cmake, build_dir = sys.argv[1:]
    if not pathlib.Path(man_page).is_file():
        fail(f"no man page at {man_page}: the build did not make it")

    render(["groff", "-man", "-Tutf8", "-ww", "-z", man_page])
    page = render(["man", "--warnings", "-l", "-P", "cat", man_page])

    subcommands = [name for name, _ in help_entries(help_text(adflag),
                                                    "Subcommands")]
    if "scan" not in subcommands:
        fail(f"adflag --help lists no scan subcommand: {subcommands}")
    count = check_entries(page, adflag)
    for subcommand in subcommands:
        synopsis = re.sub(r"^Usage: \S+", "adflag",
                          help_text(adflag, subcommand).splitlines()[1])
        if synopsis not in flat(page):
            fail(f"the page has no synopsis '{synopsis}'")
        count += check_entries(page, adflag, subcommand)

    if installed_page(cmake, build_dir) != page:
        fail("`man adflag` from the installed page differs from the built "
             "page")
    print(f"man page: {len(subcommands)} subcommands, {count} options and "
          "positionals, as the help prints them")


if __name__ == "__main__":
    main()
