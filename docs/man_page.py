#!/usr/bin/env python3
"""Writes adflag's man page from the help that adflag itself prints.

The page holds `adflag --help` and the `--help` of every subcommand that
it lists, turned into roff, so the page can never say something that the
binary's help does not. Only the exit codes, which the help does not
print, are written here.

    man_page.py ADFLAG OUTPUT
"""

import re
import subprocess
import sys

# TODO: the exit codes are written here because the help does not print
# them; a change of adflag's exit codes must be made here too, or the page
# says the old ones (a CLI11 footer would let the help carry them).
EXIT_STATUS = [
    ("0", "Done."),
    ("1", "A listing was flagged at the --fail-on level or above "
          "(scan), a rule pack has an error or, with --strict, a warning "
          "(check), a test failed (test), a listing changed under "
          "--fail-on-change (diff)."),
    ("2", "The job could not be done: bad usage, an unreadable input, "
          "invalid rules, an output that cannot be written."),
    ("3", "More lines were rejected than --max-rejects allows (scan)."),
    ("130, 143", "SIGINT or SIGTERM stopped the run; no file is left at "
                 "-o, nor a temporary one beside it. A scan stops at the "
                 "next line and prints its summary; the other commands "
                 "are ended by the signal."),
]


def run_help(adflag, subcommand=None):
    """Returns the help text of adflag or of one of its subcommands."""
    args = [adflag] + ([subcommand] if subcommand else []) + ["--help"]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"man_page.py: '{' '.join(args)}' exited "
                 f"{result.returncode}: {result.stderr.strip()}")
    return result.stdout


def parse_help(text):
    """Splits CLI11's help into its description, usage and sections.

    Returns (description, usage, sections), where usage has the program
    name as invoked replaced by 'adflag' and sections is a list of
    (title, [(name column, description)]).
    """
    lines = text.splitlines()
    description = lines[0].strip()
    usage = ""
    sections = []
    entries = None
    for line in lines[1:]:
        if line.startswith("Usage: "):
            usage = re.sub(r"^Usage: \S+", "adflag", line)
        elif re.match(r"^\S.*:$", line):
            entries = []
            sections.append((line[:-1], entries))
        elif entries is not None and re.match(r"^  \S", line):
            name, _, said = line.strip().partition("  ")
            entries.append([name, said.strip()])
        elif entries and line.strip():
            entries[-1][1] = (entries[-1][1] + " " + line.strip()).strip()
    return description, usage, sections


def escape(text):
    """Returns text as roff that prints it unchanged on one line."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def entry_lines(section, name, said):
    """Returns the roff of one option or positional as a tagged paragraph."""
    first, _, rest = name.partition(" ")
    font = "I" if section == "Positionals" else "B"
    names = ", ".join(f"\\f{font}{escape(part)}\\fR"
                      for part in first.split(","))
    tag = names + (" " + escape(rest) if rest else "")
    return [".TP", tag, escape(said) if said else "\\&"]


def section_lines(sections, skip=(), titled=True):
    """Returns the roff of the options and positionals of one help, each
    group under its title unless titled is false."""
    out = []
    for title, entries in sections:
        if title in skip:
            continue
        if titled:
            out += [".PP", escape(title) + ":"]
        for name, said in entries:
            out += entry_lines(title, name, said)
    return out


def subcommand_names(sections):
    """Returns the subcommands that the top-level help lists, in order."""
    for title, entries in sections:
        if title == "Subcommands":
            return [name for name, _ in entries]
    sys.exit("man_page.py: adflag --help lists no subcommands")


def man_page(adflag):
    """Returns the whole man page of adflag as roff."""
    version = subprocess.run([adflag, "--version"], capture_output=True,
                             text=True).stdout.strip()
    description, usage, sections = parse_help(run_help(adflag))
    summary = re.sub(r"^adflag: ", "", description)
    commands = [(name, parse_help(run_help(adflag, name)))
                for name in subcommand_names(sections)]

    out = [f'.TH ADFLAG 1 "" "{escape(version)}" "User Commands"', ".nh",
           ".ad l", ".SH NAME", f"adflag \\- {escape(summary)}",
           ".SH SYNOPSIS"]
    for command_usage in [usage] + [parsed[1] for _, parsed in commands]:
        out += [escape(command_usage), ".br"]
    out += [".SH DESCRIPTION", f"adflag {escape(summary)}.",
            ".PP", "Each subcommand is described under COMMANDS with the "
            "text that \\fBadflag\\fR \\fISUBCOMMAND\\fR \\fB\\-\\-help\\fR "
            "prints.", ".SH OPTIONS"]
    out += section_lines(sections, skip=("Subcommands",), titled=False)
    out.append(".SH COMMANDS")
    for name, (said, command_usage, command_sections) in commands:
        out += [f'.SS "{escape(name)}"', escape(said), ".PP",
                escape(command_usage)]
        out += section_lines(command_sections)
    out.append(".SH EXIT STATUS")
    for code, meaning in EXIT_STATUS:
        out += [".TP", f"\\fB{code}\\fR", escape(meaning)]
    out += [".SH SEE ALSO", "The README of the adflag sources: the output "
            "format, rule packs and a walkthrough of a night's review."]
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: man_page.py ADFLAG OUTPUT")
    page = man_page(sys.argv[1])
    with open(sys.argv[2], "w", encoding="utf-8") as output:
        output.write(page)


if __name__ == "__main__":
    main()
