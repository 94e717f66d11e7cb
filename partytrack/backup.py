"""Consistent backups and restores: pg_dump/pg_restore on PostgreSQL, the online backup API on SQLite."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    pass


def _pg_environment(settings_dict: dict) -> tuple[list[str], dict]:
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} không có trên máy này (cài gói postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} thất bại: {result.stderr.strip() or result.stdout.strip()}")


def backup(path: Path, *, using: str = "default") -> Path:
    """Write a consistent copy of the database to `path` (written to a temporary name, then renamed,
    so a failed backup never leaves a truncated file under the final name)."""
    connection = connections[using]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if connection.vendor == "postgresql":
        # pg_dump reads one snapshot: consistent while the application keeps writing.
        args, env = _pg_environment(connection.settings_dict)
        _run(
            [
                "pg_dump",
                *args,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(partial),
                connection.settings_dict["NAME"],
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)  # online backup API: consistent while in use
        finally:
            target.close()
    else:  # pragma: no cover - only the two supported databases
        raise BackupError(f"Không hỗ trợ sao lưu {connection.vendor}.")
    partial.replace(path)
    return path


def restore(path: Path, *, using: str = "default") -> None:
    """Replace the database's content with the backup at `path`."""
    if not path.exists():
        raise BackupError(f"Không tìm thấy tệp sao lưu {path}.")
    connection = connections[using]
    if connection.vendor == "postgresql":
        args, env = _pg_environment(connection.settings_dict)
        connection.close()
        _run(
            [
                "pg_restore",
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(path),
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            source.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} không phải tệp sao lưu SQLite: {exc}") from exc
        connection.ensure_connection()
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:  # pragma: no cover
        raise BackupError(f"Không hỗ trợ khôi phục {connection.vendor}.")
