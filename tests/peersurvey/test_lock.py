"""The lock files (requirements/*.txt, made by `make lock`) pin every dependency pyproject.toml
names, exactly and with hashes, inside pyproject's bounds, for every Python we support
(docs/dependencies.md). No network: the files are read, nothing is installed."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# The Pythons README promises (3.11 and newer) as the machines run them: Linux, x86-64 or ARM.
PYTHONS = ["3.11.7", "3.12.1", "3.13.0"]
MACHINES = ["x86_64", "aarch64"]


def read_lock(text: str) -> list[tuple[Requirement, list[str]]]:
    r"""Each entry of a hashed requirements file: the requirement and its hashes.

    >>> entry = "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:" + "a" * 64 + "\n    # via scipy\n"
    >>> [(str(requirement), hashes) for requirement, hashes in read_lock(entry)]
    [('numpy==2.4.6; python_full_version < "3.12"', ['sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'])]
    """
    entries = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spec, _, options = line.partition(" --hash=")
        entries.append((Requirement(spec), re.findall(r"sha256:[0-9a-f]{64}", options)))
    return entries


def lock(name: str) -> list[tuple[Requirement, list[str]]]:
    return read_lock((ROOT / "requirements" / name).read_text())


def runtime_bounds() -> list[Requirement]:
    return [Requirement(text) for text in PYPROJECT["project"]["dependencies"]]


def dev_bounds() -> list[Requirement]:
    dev = [Requirement(text) for text in PYPROJECT["project"]["optional-dependencies"]["dev"]]
    build = [Requirement(text) for text in PYPROJECT["build-system"]["requires"]]
    return runtime_bounds() + dev + build


def pins_for(entries, python: str, machine: str) -> dict[str, str]:
    """What pip installs from the lock on that Python and machine: name -> version."""
    environment = {
        **default_environment(),
        "python_version": python.rsplit(".", 1)[0],
        "python_full_version": python,
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": machine,
    }
    pins: dict[str, str] = {}
    for requirement, _ in entries:
        if requirement.marker is None or requirement.marker.evaluate(environment):
            name = canonicalize_name(requirement.name)
            assert name not in pins, f"{name} is pinned twice for Python {python} on {machine}"
            pins[name] = str(requirement.specifier).removeprefix("==")
    return pins


@pytest.mark.parametrize("name", ["runtime.txt", "dev.txt"])
def test_every_entry_is_pinned_exactly_with_a_hash(name):
    entries = lock(name)
    assert entries
    for requirement, hashes in entries:
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{requirement} is not pinned with =="
        assert hashes, f"{requirement} has no --hash: pip --require-hashes would refuse the whole file"


@pytest.mark.parametrize(("name", "bounds"), [("runtime.txt", runtime_bounds), ("dev.txt", dev_bounds)])
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("machine", MACHINES)
def test_every_dependency_pyproject_names_is_pinned_within_its_bounds(name, bounds, python, machine):
    pins = pins_for(lock(name), python, machine)
    for requirement in bounds():
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned, f"{requirement.name} (pyproject.toml) is not in requirements/{name} for Python {python}: make lock"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"requirements/{name} pins {requirement.name}=={pinned} outside pyproject.toml's {requirement}: make lock"
        )


@pytest.mark.parametrize("python", PYTHONS)
def test_tests_run_what_production_runs(python):
    """dev.txt is resolved under runtime.txt's pins: every package both hold is the same version."""
    runtime, dev = pins_for(lock("runtime.txt"), python, "x86_64"), pins_for(lock("dev.txt"), python, "x86_64")
    assert set(runtime) <= set(dev)
    assert {name: dev[name] for name in runtime} == runtime
