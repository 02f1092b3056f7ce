"""The knowledge pack as a skill folder, a zip and `temporal-pro docs`, plus the Claude Code plugin.

Most tests run on a throwaway pack in tmp_path (pack_root monkeypatched) with the repository's
real `references/rules.md` in it; `test_real_pack_*` run on the repository's own files and fail
until `skill/SKILL.md` exists.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt

from mcp_server import __version__, pack
from mcp_server.pack import PackError, PackRoot

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "references" / "rules.md"
PLUGIN = REPO / ".claude-plugin" / "plugin.json"
MARKETPLACE = REPO / ".claude-plugin" / "marketplace.json"
NAME = "temporal-python-pro"
MANIFEST = ".temporal-pro-install.json"  # the install record inside the folder
KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# Marketplace names Claude Code reserves for Anthropic (plugin-marketplaces docs).
RESERVED = {
    "claude-code-marketplace",
    "claude-code-plugins",
    "claude-plugins-official",
    "claude-plugins-community",
    "claude-community",
    "anthropic-marketplace",
    "anthropic-plugins",
    "agent-skills",
    "anthropic-agent-skills",
}

SKILL_MD = f"""\
---
name: {NAME}
description: A throwaway skill for the tests.
---

# Temporal Python Pro

Read [the rules](references/rules.md), [the extra topic](references/extra.md#part-two) and
[a reference-style link][ref]. See also [Temporal](https://docs.temporal.io) and [below](#usage).

## Usage

Run `temporal-pro lint`.

[ref]: references/extra.md
"""

EXTRA_MD = """\
# Extra topic

<!-- a comment before the first paragraph -->

Extra things for the tests, e.g. a sentence with [a link](rules.md). A second sentence.

## Part one

alpha beta gamma

### Alpha beta details

Deeper.

## Part two

See [the rules](rules.md#lint-rules) and [the skill](../SKILL.md).
"""


def relative_links(markdown: str) -> list[str]:
    """Every link and image target that is a path (no scheme, host or bare #fragment)."""
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for node in [token, *(token.children or [])]:
            target = node.attrGet("href") if node.type == "link_open" else None
            target = node.attrGet("src") if node.type == "image" else target
            if not isinstance(target, str):
                continue
            parts = urlsplit(target)
            if not (parts.scheme or parts.netloc or target.startswith("#")):
                found.append(unquote(parts.path))
    return found


def broken_links(folder: Path, base: Path | None = None) -> tuple[list[str], int]:
    """(links of every .md under `folder` that do not resolve to a file inside `base`, count)."""
    base = (base or folder).resolve()
    broken, checked = [], 0
    for md in sorted(folder.rglob("*.md")):
        for link in relative_links(md.read_text(encoding="utf-8")):
            checked += 1
            target = (md.parent / link).resolve()
            if link.startswith("/") or not target.is_relative_to(base) or not target.is_file():
                broken.append(f"{md.relative_to(folder)}: {link}")
    return broken, checked


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def frontmatter_name(text: str) -> str | None:
    block = re.match(r"---\r?\n(.*?)\r?\n---", text, re.DOTALL)
    field = block and re.search(r"^name:\s*['\"]?([^'\"\r\n]*?)['\"]?\s*$", block.group(1), re.M)
    return field.group(1) if field else None


@pytest.fixture
def fake_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PackRoot:
    """A pack laid out like the repository (skill/SKILL.md beside references/), with a throwaway
    SKILL.md and the real rules.md."""
    source = tmp_path / "source"
    (source / "skill").mkdir(parents=True)
    (source / "references").mkdir()
    (source / "skill" / "SKILL.md").write_text(SKILL_MD, encoding="utf-8")
    (source / "references" / "extra.md").write_text(EXTRA_MD, encoding="utf-8")
    shutil.copyfile(RULES, source / "references" / "rules.md")
    (source / "references" / "notes.txt").write_text("not a topic", encoding="utf-8")
    root = PackRoot(source / "skill", source / "references")
    monkeypatch.setattr(pack, "pack_root", lambda: root)
    return root


# --- install ----------------------------------------------------------------------------------


def test_install_writes_the_skill_folder_and_its_links_resolve(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    done = pack.install_skill(tmp_path / "dest")

    folder = done.path
    assert done == pack.Installed(tmp_path / "dest" / NAME, backup=None, unchanged=False)
    assert tree(folder) == {"SKILL.md", "references/extra.md", "references/rules.md", MANIFEST}
    assert (folder / "SKILL.md").read_bytes() == fake_pack.skill_file.read_bytes()
    assert (folder / "references" / "rules.md").read_bytes() == RULES.read_bytes()
    broken, checked = broken_links(folder)
    assert checked >= 5
    assert broken == []
    assert os.listdir(tmp_path / "dest") == [NAME]  # no staging folder left behind


def test_reinstalling_the_same_version_writes_nothing(fake_pack: PackRoot, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    folder = pack.install_skill(dest).path
    (folder / "references" / "rules.md").unlink()
    pack.install_skill(dest)  # a file of ours gone missing is simply written again
    before = {p: p.stat() for p in [folder, *folder.rglob("*")]}

    assert pack.install_skill(dest) == pack.Installed(folder, backup=None, unchanged=True)
    assert pack.install_skill(dest, force=True).unchanged

    after = {p: p.stat() for p in [folder, *folder.rglob("*")]}
    assert after.keys() == before.keys()
    for path, stat in after.items():  # the same inodes, never rewritten
        assert (stat.st_ino, stat.st_mtime_ns) == (before[path].st_ino, before[path].st_mtime_ns)
    assert (folder / "references" / "rules.md").read_bytes() == RULES.read_bytes()
    assert os.listdir(dest) == [NAME]


def test_install_refuses_to_replace_files_the_user_added_or_edited(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    folder = pack.install_skill(dest).path
    (folder / "references" / "notes.md").write_text("my notes", encoding="utf-8")
    (folder / "SKILL.md").write_text("my edits", encoding="utf-8")
    (folder / "drafts").mkdir()
    (folder / "references" / "rules.md").unlink()  # missing: not a change of the user's

    with pytest.raises(PackError) as error:
        pack.install_skill(dest)

    assert str(error.value) == (
        f"3 files in {folder} differ from this version of the skill: SKILL.md (edited), "
        "drafts/ (added), references/notes.md (added); pass --force to replace them (the old "
        "folder is kept as a backup)"
    )
    assert (folder / "references" / "notes.md").read_text(encoding="utf-8") == "my notes"
    assert (folder / "SKILL.md").read_text(encoding="utf-8") == "my edits"
    assert (folder / "drafts").is_dir()
    assert not (folder / "references" / "rules.md").exists()
    assert os.listdir(dest) == [NAME]  # no staging or backup folder either


def test_a_refusal_names_five_changes_and_counts_the_rest(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    folder = pack.install_skill(tmp_path).path
    for number in range(7):
        (folder / f"note{number}.md").write_text("mine", encoding="utf-8")

    with pytest.raises(PackError) as error:
        pack.install_skill(tmp_path)

    assert str(error.value).startswith(
        f"7 files in {folder} differ from this version of the skill: note0.md (added), "
        "note1.md (added), note2.md (added), note3.md (added), note4.md (added) and 2 more; "
    )


def test_force_moves_the_old_folder_to_a_new_backup_each_time(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    folder = pack.install_skill(dest).path
    squatter = dest / f".{NAME}.backup-3"  # something already there is never overwritten
    squatter.write_text("not ours", encoding="utf-8")

    backups = []
    for edit in ("first edit", "second edit", "third edit"):
        (folder / "SKILL.md").write_text(edit, encoding="utf-8")
        done = pack.install_skill(dest, force=True)
        assert (done.path, done.unchanged) == (folder, False)
        assert done.backup is not None
        backups.append(done.backup)

    assert backups == [dest / f".{NAME}.backup-{n}" / NAME for n in (1, 2, 4)]
    for backup, edit in zip(backups, ("first edit", "second edit", "third edit"), strict=True):
        assert (backup / "SKILL.md").read_text(encoding="utf-8") == edit
        assert (backup / "references" / "rules.md").read_bytes() == RULES.read_bytes()
    assert squatter.read_text(encoding="utf-8") == "not ours"
    assert (folder / "SKILL.md").read_bytes() == fake_pack.skill_file.read_bytes()
    # Backups sit one level down: a tool reading dest/*/SKILL.md finds one skill only.
    assert list(dest.glob("*/SKILL.md")) == [folder / "SKILL.md"]


def test_an_upgrade_replaces_untouched_files_of_the_older_version(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    folder = pack.install_skill(dest).path
    # The next version changes SKILL.md, drops extra.md and adds new.md.
    fake_pack.skill_file.write_text(SKILL_MD + "\nNew in this version.\n", encoding="utf-8")
    (fake_pack.references / "extra.md").unlink()
    (fake_pack.references / "new.md").write_text("# New\n\nNew topic.\n", encoding="utf-8")

    assert pack.install_skill(dest) == pack.Installed(folder, backup=None, unchanged=False)

    assert tree(folder) == {"SKILL.md", "references/new.md", "references/rules.md", MANIFEST}
    assert (folder / "SKILL.md").read_bytes() == fake_pack.skill_file.read_bytes()
    assert sorted(os.listdir(dest)) == [NAME]


def test_an_upgrade_keeps_an_edited_file_the_new_version_drops(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    folder = pack.install_skill(dest).path
    (folder / "references" / "extra.md").write_text("my extra notes", encoding="utf-8")
    fake_pack.skill_file.write_text(SKILL_MD + "\nNew in this version.\n", encoding="utf-8")
    (fake_pack.references / "extra.md").unlink()

    with pytest.raises(PackError) as error:
        pack.install_skill(dest)

    # SKILL.md changed too, but as the previous install wrote it: not the user's to keep.
    assert str(error.value).startswith(
        f"1 file in {folder} differs from this version of the skill: references/extra.md "
        "(edited); pass --force to replace it"
    )
    assert (folder / "references" / "extra.md").read_text(encoding="utf-8") == "my extra notes"


def test_without_the_install_record_every_difference_counts_as_the_users(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    folder = pack.install_skill(dest).path
    (folder / MANIFEST).unlink()  # as an install by an older temporal-pro left it
    assert pack.install_skill(dest).unchanged
    (folder / MANIFEST).write_text("{not json", encoding="utf-8")
    fake_pack.skill_file.write_text(SKILL_MD + "\nNew in this version.\n", encoding="utf-8")

    with pytest.raises(PackError, match=r"1 file in .* differs .*: SKILL\.md \(edited\);"):
        pack.install_skill(dest)

    assert (folder / "SKILL.md").read_text(encoding="utf-8") == SKILL_MD


def test_a_plain_file_in_the_folders_place_is_kept(fake_pack: PackRoot, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / NAME).write_text("my notes", encoding="utf-8")

    with pytest.raises(PackError) as error:
        pack.install_skill(dest)

    assert str(error.value) == (
        f"{dest / NAME} is a file, not the skill folder; pass --force to replace it (it is kept "
        "as a backup)"
    )
    assert (dest / NAME).read_text(encoding="utf-8") == "my notes"

    done = pack.install_skill(dest, force=True)

    assert done.backup == dest / f".{NAME}.backup-1" / NAME
    assert done.backup.read_text(encoding="utf-8") == "my notes"
    assert (done.path / "SKILL.md").is_file()


def test_a_symlinked_copy_is_kept_and_its_target_left_alone(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    dest, elsewhere = tmp_path / "dest", tmp_path / "checkout"
    elsewhere.mkdir()
    (elsewhere / "SKILL.md").write_text("mine", encoding="utf-8")
    dest.mkdir()
    link = dest / NAME
    link.symlink_to(Path("..") / "checkout", target_is_directory=True)

    with pytest.raises(PackError) as error:
        pack.install_skill(dest)

    assert str(error.value).startswith(f"{link} is a link to ../checkout, which does not hold")
    assert "pass --force to replace the link" in str(error.value)
    assert link.is_symlink() and (link / "SKILL.md").read_text(encoding="utf-8") == "mine"

    done = pack.install_skill(dest, force=True)

    assert not done.path.is_symlink()
    assert "references/rules.md" in tree(done.path)
    assert done.backup is not None and done.backup.is_symlink()
    assert done.backup.resolve() == elsewhere.resolve()  # the relative link still points there
    assert (elsewhere / "SKILL.md").read_text(encoding="utf-8") == "mine"
    assert os.listdir(elsewhere) == ["SKILL.md"]


def test_a_symlink_to_an_identical_copy_is_already_installed(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    copy = pack.install_skill(tmp_path / "elsewhere").path
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / NAME).symlink_to(copy, target_is_directory=True)

    assert pack.install_skill(dest) == pack.Installed(dest / NAME, backup=None, unchanged=True)
    assert (dest / NAME).is_symlink()


@pytest.mark.parametrize("where", ["dest", "parent"])
def test_install_into_a_file_is_a_one_line_error(
    fake_pack: PackRoot, tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("mine", encoding="utf-8")
    dest = blocker if where == "dest" else blocker / "skills"

    with pytest.raises(PackError) as error:
        pack.install_skill(dest)

    assert str(error.value) == (
        f"cannot install the skill into {dest}: {blocker} is a file, not a folder"
    )
    assert blocker.read_text(encoding="utf-8") == "mine"
    assert sorted(os.listdir(tmp_path)) == ["a-file", "source"]


def test_install_without_skill_md_is_a_one_line_error(fake_pack: PackRoot, tmp_path: Path) -> None:
    fake_pack.skill_file.unlink()

    with pytest.raises(PackError, match=r"SKILL\.md") as error:
        pack.install_skill(tmp_path / "dest")

    assert "\n" not in str(error.value)
    assert not (tmp_path / "dest").exists()


def test_default_destinations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)

    assert pack.default_destination(project=False) == tmp_path / "home" / ".claude" / "skills"
    assert pack.default_destination(project=True) == tmp_path / ".claude" / "skills"


# --- zip --------------------------------------------------------------------------------------


def test_zip_is_reproducible_with_the_folder_at_the_archive_root(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    first = pack.zip_skill(tmp_path / "one" / "skill.zip")
    os.utime(fake_pack.skill_file, (1_000_000_000, 1_000_000_000))  # mtimes must not matter
    second = pack.zip_skill(tmp_path / "two.zip")

    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [
            f"{NAME}/SKILL.md",
            f"{NAME}/references/extra.md",
            f"{NAME}/references/rules.md",
        ]
        assert archive.read(f"{NAME}/references/rules.md") == RULES.read_bytes()
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert sorted(p.name for p in first.parent.iterdir()) == ["skill.zip"]  # no partial file


def test_zip_into_a_folder_uses_the_default_name(fake_pack: PackRoot, tmp_path: Path) -> None:
    assert pack.zip_skill(tmp_path) == tmp_path / f"{NAME}.zip"


def test_zip_to_an_unwritable_place_is_a_one_line_error(
    fake_pack: PackRoot, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")

    with pytest.raises(PackError) as error:
        pack.zip_skill(blocker / "out.zip")

    assert str(blocker / "out.zip") in str(error.value)
    assert f"{blocker} is a file, not a folder" in str(error.value)
    assert "\n" not in str(error.value)


def test_zip_never_overwrites_a_file_that_is_not_a_zip(fake_pack: PackRoot, tmp_path: Path) -> None:
    source = tmp_path / "workflows.py"
    source.write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(PackError, match="exists and is not a zip file; not overwritten"):
        pack.zip_skill(source)
    assert source.read_text(encoding="utf-8") == "x = 1\n"
    archive = pack.zip_skill(tmp_path / "pack.zip")
    assert pack.zip_skill(archive) == archive  # an older zip is replaced


# --- pack_root --------------------------------------------------------------------------------


def _layout(base: Path, *, skill: bool = True, references: bool = True) -> Path:
    if skill:
        (base / "skill").mkdir(parents=True)
        (base / "skill" / "SKILL.md").write_text(SKILL_MD, encoding="utf-8")
    if references:
        (base / "references").mkdir(parents=True)
    return base


def test_pack_root_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packaged = _layout(tmp_path / "site-packages" / "mcp_server" / "_pack")
    checkout = _layout(tmp_path / "checkout")
    monkeypatch.setattr(pack, "_PACKAGED", packaged)
    monkeypatch.setattr(pack, "_CHECKOUT", checkout)

    assert pack.pack_root() == PackRoot(packaged / "skill", packaged / "references")

    shutil.rmtree(packaged)
    assert pack.pack_root() == PackRoot(checkout / "skill", checkout / "references")

    shutil.rmtree(checkout)
    with pytest.raises(PackError, match="knowledge pack is missing") as error:
        pack.pack_root()
    assert "\n" not in str(error.value)


def test_pack_root_takes_references_beside_skill_md_when_they_are_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = _layout(tmp_path / "checkout", references=False)
    (checkout / "skill" / "references").mkdir()
    monkeypatch.setattr(pack, "_PACKAGED", tmp_path / "nothing")
    monkeypatch.setattr(pack, "_CHECKOUT", checkout)

    assert pack.pack_root().references == checkout / "skill" / "references"

    # The plugin's default layout, skills/<name>/ with its references inside, works too.
    plugin_style = checkout / "skills" / NAME
    plugin_style.parent.mkdir()
    (checkout / "skill").rename(plugin_style)
    assert pack.pack_root() == PackRoot(plugin_style, plugin_style / "references")


# --- docs -------------------------------------------------------------------------------------


def test_list_topics_includes_rules() -> None:
    topics = {topic.name: topic for topic in pack.list_topics()}

    assert topics["rules"].title == "Lint rules"
    assert topics["rules"].summary.startswith("`temporal-pro lint` is a static checker")
    assert topics["rules"].summary.endswith(".")
    assert all("\n" not in topic.summary for topic in topics.values())


def test_topic_title_and_summary_skip_comments(fake_pack: PackRoot) -> None:
    extra = next(topic for topic in pack.list_topics() if topic.name == "extra")

    assert extra.title == "Extra topic"
    assert extra.summary == "Extra things for the tests, e.g. a sentence with a link."
    assert [topic.name for topic in pack.list_topics()] == ["extra", "rules"]


def test_find_set_iteration_returns_the_rule_from_rules_md() -> None:
    sections = pack.find("set iteration")

    assert sections[0].file.name == "rules.md"
    assert sections[0].heading == "TPR301 workflow-set-iteration"
    assert sections[0].text.startswith("## TPR301 workflow-set-iteration\n")
    for section in sections:
        assert "set" in section.text.lower() and "iteration" in section.text.lower()


def test_find_ranks_heading_matches_first_and_splits_at_h2_and_h3(fake_pack: PackRoot) -> None:
    sections = pack.find("ALPHA beta")

    assert [(s.topic, s.heading, s.level, s.parent) for s in sections] == [
        ("extra", "Alpha beta details", 3, "Part one"),
        ("extra", "Part one", 2, None),
    ]
    assert sections[1].text == "## Part one\n\nalpha beta gamma\n"


def test_find_a_topic_name_returns_the_whole_file(fake_pack: PackRoot) -> None:
    for query in ("extra", "Extra.md"):
        [section] = pack.find(query)
        assert (section.topic, section.heading, section.level) == ("extra", "Extra topic", 1)
        assert section.text == EXTRA_MD


def test_an_unknown_topic_is_a_one_line_error() -> None:
    with pytest.raises(PackError) as error:
        pack.find("no-such-topic-anywhere")

    message = str(error.value)
    assert "no-such-topic-anywhere" in message
    assert "rules" in message  # names the topics there are
    assert "\n" not in message


def test_an_empty_query_is_an_error(fake_pack: PackRoot) -> None:
    with pytest.raises(PackError):
        pack.find("   ")


# --- the Claude Code plugin -------------------------------------------------------------------


def test_plugin_manifest_has_the_required_fields() -> None:
    plugin = json.loads(PLUGIN.read_text(encoding="utf-8"))

    assert KEBAB.fullmatch(plugin["name"])  # the only required field
    assert plugin["version"] == __version__  # pins updates: bump it with the package
    assert isinstance(plugin["description"], str) and plugin["description"]
    assert isinstance(plugin["author"]["name"], str) and plugin["author"]["name"]
    assert plugin["skills"] and all(path.startswith("./") for path in plugin["skills"])
    # The MCP server comes with the skill, built from this same checkout: one version of both.
    [server] = plugin["mcpServers"].values()
    assert server == {
        "command": "uvx",
        "args": ["--from", "${CLAUDE_PLUGIN_ROOT}", "temporal-pro", "mcp"],
    }
    assert not (REPO / ".mcp.json").exists()  # it would configure contributors' own sessions too


def test_marketplace_lists_the_plugin() -> None:
    plugin = json.loads(PLUGIN.read_text(encoding="utf-8"))
    market = json.loads(MARKETPLACE.read_text(encoding="utf-8"))

    assert KEBAB.fullmatch(market["name"]) and market["name"] not in RESERVED
    assert isinstance(market["owner"]["name"], str) and market["owner"]["name"]
    [entry] = market["plugins"]
    assert entry["name"] == plugin["name"]
    assert entry["source"] == "./"  # the repository root is the plugin root
    assert isinstance(entry["description"], str) and entry["description"]
    assert "version" not in entry  # plugin.json's version wins; one place to bump


# --- the repository's own pack (fails until skill/SKILL.md lands) -----------------------------


def test_real_pack_exists_installs_and_its_links_resolve(tmp_path: Path) -> None:
    root = pack.pack_root()
    assert root.skill_file.is_file(), f"{root.skill_file} is missing"
    assert (root.references / "rules.md").is_file()
    skill_md = root.skill_file.read_text(encoding="utf-8")
    # agentskills.io: the name matches the folder the skill is installed as.
    assert frontmatter_name(skill_md) == NAME

    folder = pack.install_skill(tmp_path / "skills").path

    broken, checked = broken_links(folder)
    assert broken == [], f"links that leave or miss the installed skill: {broken}"
    assert checked > 0, "SKILL.md links to no reference"
    assert {f"references/{p.name}" for p in root.references.glob("*.md")} <= tree(folder)


def test_real_pack_links_resolve_in_the_plugin_layout() -> None:
    """Claude Code reads the plugin's skill where plugin.json's `skills` points, inside a copy of
    this repository: SKILL.md's relative links must resolve there too."""
    for path in json.loads(PLUGIN.read_text(encoding="utf-8"))["skills"]:
        skill = (REPO / path).resolve()
        assert (skill / "SKILL.md").is_file(), f"plugin.json skills path {path} has no SKILL.md"
        links = relative_links((skill / "SKILL.md").read_text(encoding="utf-8"))
        missing = [
            link
            for link in links
            if not (skill / link).resolve().is_relative_to(REPO) or not (skill / link).is_file()
        ]
        assert missing == [], f"SKILL.md links that do not resolve from {path}/: {missing}"


CLAUDE = REPO / "tests" / "clients" / "node_modules" / ".bin" / "claude"


def validate(target: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """Claude Code's own validator; it writes its state under HOME, so HOME is a scratch folder."""
    return subprocess.run(
        [str(CLAUDE), "plugin", "validate", str(target)],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home)},
        timeout=120,
    )


def test_claude_code_validates_the_marketplace_and_the_plugin(tmp_path: Path) -> None:
    for target in (REPO, PLUGIN):
        done = validate(target, tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Validation passed" in done.stdout


def test_claude_code_rejects_a_broken_mcp_server_entry(tmp_path: Path) -> None:
    broken = json.loads(PLUGIN.read_text(encoding="utf-8"))
    broken["mcpServers"]["temporal-python-pro"] = {"args": ["mcp"]}  # no command
    copy = tmp_path / "plugin.json"
    copy.write_text(json.dumps(broken))
    done = validate(copy, tmp_path)
    assert done.returncode == 1 and "mcpServers" in done.stdout + done.stderr
