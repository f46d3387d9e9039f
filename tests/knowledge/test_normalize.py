"""Text as it really comes: hard wraps, code, lists, PDF artefacts. Each case is a
shape taken from the public sets in bench/data (the zsh FAQ, the Debian FAQ PDF)."""

from knowledge.normalize import SourceKind, normalize
from knowledge.sentences import is_complete_sentence, passage_units, split_sentences


def blocks(text: str, kind: SourceKind) -> list[str]:
    return [block.strip("\n") for block in normalize(text, kind).split("\n\n")
            if block.strip("\f\n")]


def test_hard_wrapped_paragraphs_with_hanging_indent_are_joined() -> None:
    text = ("Information on zsh is available via the World Wide Web.  The URL\n"
            "  is https://zsh.sourceforge.io/ .  The server provides this FAQ\n"
            "  and much else.\n")
    assert blocks(text, SourceKind.TEXT) == [
        "Information on zsh is available via the World Wide Web. The URL is "
        "https://zsh.sourceforge.io/ . The server provides this FAQ and much else."
    ]


def test_indented_blocks_are_code_kept_verbatim_and_the_paragraph_goes_on() -> None:
    text = ("One workaround for this is to use the \"function\" keyword instead:\n"
            "  \n"
            "    alias l='/bin/ls -F'\n"
            "    function l { /bin/ls -la \"$@\" | more }\n"
            "  \n"
            "  The `l' after `function' is not expanded.\n")
    assert blocks(text, SourceKind.TEXT) == [
        'One workaround for this is to use the "function" keyword instead:',
        "```\nalias l='/bin/ls -F'\nfunction l { /bin/ls -la \"$@\" | more }\n```",
        "The `l' after `function' is not expanded.",
    ]


def test_usenet_lists_are_items_whatever_their_markers() -> None:
    text = ("Here is Bart Schaefer's guide:\n\n  1. ) If the alias references parameters,\n"
            "     you need a function.\n  2. ) Stay away from alias -g.\n\n"
            "o Command line editing.\no Globbing.\n")
    assert blocks(text, SourceKind.TEXT) == [
        "Here is Bart Schaefer's guide:",
        "1. If the alias references parameters, you need a function.\n"
        "2. Stay away from alias -g.\n- Command line editing.\n- Globbing.",
    ]


def test_rst_literal_blocks_and_python_sessions_are_code() -> None:
    text = ("Run it like this::\n\n  make test\n  make run\n\nOr interactively:\n\n"
            ">>> import tutor\n>>> tutor.ask('fire')\n'CO2'\n")
    assert blocks(text, SourceKind.TEXT) == [
        "Run it like this:", "```\nmake test\nmake run\n```", "Or interactively:",
        "```\n>>> import tutor\n>>> tutor.ask('fire')\n'CO2'\n```",
    ]


def test_markdown_fences_lists_tables_and_headings_stay_what_they_are() -> None:
    text = ("Title\n=====\n\nKeep the\nexits clear.\n\n* Water: paper\n  and wood.\n"
            "* CO2: electrics.\n\n| Type | Use |\n|---|---|\n| CO2 | electrics |\n\n"
            "```sh\n# not a heading\nls\n```\n")
    assert blocks(text, SourceKind.MARKDOWN) == [
        "# Title", "Keep the exits clear.", "- Water: paper and wood.\n- CO2: electrics.",
        "| Type | Use |\n|---|---|\n| CO2 | electrics |", "```\n# not a heading\nls\n```",
    ]


def test_plain_text_titles_are_headings_but_sentences_are_not() -> None:
    text = ("Chapter 2: How does zsh differ from...?\n\n2.1 Differences from sh\n\n"
            "Most features are the same.\n\nAnother method is to put\n\n    #!/bin/sh\n")
    assert blocks(text, SourceKind.TEXT) == [
        "# Chapter 2: How does zsh differ from...?", "## 2.1 Differences from sh",
        "Most features are the same.", "Another method is to put", "```\n#!/bin/sh\n```",
    ]


def test_pdf_hyphenation_urls_and_split_boxes_are_mended() -> None:
    text = ("the applications that make Debian GNU/Linux so useful were de-\n"
            "veloped by the GNU project. See the non-free archive and the guide-\n"
            "lines at https://www.\ndebian.org/social_contract#guidelines.\n\n"
            "Together they build the\n\nbase for the GNU operating system.\n")
    assert blocks(text, SourceKind.PDF) == [
        "the applications that make Debian GNU/Linux so useful were developed by the GNU "
        "project. See the non-free archive and the guidelines at "
        "https://www.debian.org/social_contract#guidelines.",
        "Together they build the base for the GNU operating system.",
    ]


def test_a_hyphen_the_document_writes_elsewhere_is_kept() -> None:
    text = "Write to the debian-user list.\n\nOr ask on the debian-\nuser list.\n"
    assert blocks(text, SourceKind.PDF)[-1] == "Or ask on the debian-user list."


def test_pdf_page_furniture_goes_and_a_paragraph_crosses_the_page() -> None:
    pages = [
        "Intro text of the manual.\n\n1",
        "CHAPTER 1. DEFINITIONS\n\n1.3. OK, NOW I KNOW WHAT DEBIAN IS... \u2026\n\n"
        "When we speak of free software, we are referring\n\n2",
        "CHAPTER 1. DEFINITIONS\n\nto freedom, not price.\n\n3",
        "CHAPTER 1. DEFINITIONS\n\nThe end.\n\n4",
    ]
    normalised = normalize("\f".join(pages), SourceKind.PDF)
    assert "CHAPTER 1" not in normalised and "NOW I KNOW" not in normalised
    assert "we are referring to freedom, not price." in normalised
    assert normalised.index("not price.") < normalised.index("\f\n\nThe end.")


def test_slides_lines_are_items_not_one_run_on_paragraph() -> None:
    text = "<!-- Slide number: 2 -->\n# Safety data sheets\nRead the SDS first\nKeep it current\n"
    assert blocks(text, SourceKind.SLIDES) == [
        "<!-- Slide number: 2 -->", "# Safety data sheets",
        "- Read the SDS first\n- Keep it current",
    ]


def test_sentences_survive_abbreviations_versions_files_and_urls() -> None:
    text = ("Zsh 5.9 is the latest version, e.g. from https://www.zsh.org/pub/. Put it in "
            "~/.zshrc or /etc/zsh/zshenv. Dr. Smith lifts approx. 25 kg. Done.")
    assert split_sentences(text) == [
        "Zsh 5.9 is the latest version, e.g. from https://www.zsh.org/pub/.",
        "Put it in ~/.zshrc or /etc/zsh/zshenv.",
        "Dr. Smith lifts approx. 25 kg.",
        "Done.",
    ]


def test_code_is_one_unit_never_split_into_sentences() -> None:
    units = passage_units("Try this:\n\n```\nprint 'a. b'. Then\necho done.\n```\n\nIt works.")
    assert [(u.kind, u.text) for u in units] == [
        ("sentence", "Try this:"), ("code", "print 'a. b'. Then\necho done."),
        ("sentence", "It works."),
    ]


def test_a_hard_wrapped_answer_is_quoted_as_complete_sentences() -> None:
    text = ("The simplest way is to use the built-in\n  command `which', which tells you\n"
            "  where a command lives.  When freezing Tkinter\n  apps, include the library.\n")
    sentences = [u.text for u in passage_units(normalize(text, SourceKind.TEXT))]
    assert sentences == [
        "The simplest way is to use the built-in command `which', which tells you where a "
        "command lives.",
        "When freezing Tkinter apps, include the library.",
    ]
    assert all(is_complete_sentence(s) for s in sentences)
    assert not is_complete_sentence("When freezing Tkinter")
    assert not is_complete_sentence("order to iterate over.")


def test_code_at_the_indentation_of_its_prose_is_code() -> None:
    text = ("  You should use the special function `chpwd', which is called when\n"
            "  the directory changes.  The following puts it in the title bar.\n\n"
            "  chpwd() {\n    [[ -t 1 ]] || return\n    case $TERM in\n"
            "      *xterm*) print -Pn \"\\e]2;%~\\a\" ;;\n    esac\n  }\n")
    assert blocks(text, SourceKind.TEXT) == [
        "You should use the special function `chpwd', which is called when the directory "
        "changes. The following puts it in the title bar.",
        "```\nchpwd() {\n  [[ -t 1 ]] || return\n  case $TERM in\n"
        "    *xterm*) print -Pn \"\\e]2;%~\\a\" ;;\n  esac\n}\n```",
    ]
