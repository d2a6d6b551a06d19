"""Console accounts: `create_agent` (also used by tests), and a command line for operators:

    .venv/api/bin/python -m api.callcenter.accounts add sari --name "Sari Wulandari" \\
        --role agent --team general --team health
    .venv/api/bin/python -m api.callcenter.accounts list
    .venv/api/bin/python -m api.callcenter.accounts disable sari

`add` asks for the password twice (or reads AW_NEW_AGENT_PASSWORD, for scripts). It uses
the gateway's database settings (AW_DATABASE_URL) and applies pending migrations first.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.callcenter.auth import hash_password, normalize_username
from api.callcenter.teams import TEAMS
from api.core.config import get_settings
from api.db import create_engine, create_sessionmaker, migrate
from api.models import Agent, AgentRole

MIN_PASSWORD = 12


class AccountError(ValueError):
    pass


async def create_agent(
    session: AsyncSession,
    *,
    username: str,
    password: str,
    display_name: str,
    role: AgentRole | str = AgentRole.AGENT,
    teams: list[str] | None = None,
    max_active: int = 3,
) -> Agent:
    """A new console account; commits. `AccountError` for a bad name, team or password."""
    username = normalize_username(username)
    if not username.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(username) > 64:
        raise AccountError("username: letters, digits, '.', '-' or '_', at most 64")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password: at least {MIN_PASSWORD} characters")
    unknown = set(teams or []) - set(TEAMS)
    if unknown:
        raise AccountError(f"unknown teams: {', '.join(sorted(unknown))} (known: {', '.join(TEAMS)})")
    if await session.scalar(select(Agent.id).where(Agent.username == username)) is not None:
        raise AccountError(f"username {username!r} exists")
    agent = Agent(
        username=username,
        display_name=display_name.strip()[:128] or username,
        password_hash=hash_password(password),
        role=AgentRole(role),
        teams=list(dict.fromkeys(teams or ["general"])),
        max_active=max_active,
    )
    session.add(agent)
    await session.commit()
    return agent


def _password() -> str:
    from_env = os.environ.get("AW_NEW_AGENT_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat: "):
        raise AccountError("the passwords differ")
    return first


async def _main(args: argparse.Namespace) -> int:
    settings = get_settings()
    engine = create_engine(settings)
    try:
        await migrate(engine)
        async with create_sessionmaker(engine)() as session:
            if args.command == "add":
                agent = await create_agent(
                    session, username=args.username, password=_password(), display_name=args.name,
                    role=args.role, teams=args.team,
                )  # fmt: skip
                print(f"created {agent.username} ({agent.role.value}; teams: {', '.join(agent.teams)})")
            elif args.command == "list":
                for agent in await session.scalars(select(Agent).order_by(Agent.username)):
                    state = "enabled" if agent.enabled else "disabled"
                    print(f"{agent.username:20} {agent.role.value:10} {state:9} {', '.join(agent.teams)}")
            else:
                found = await session.scalar(select(Agent).where(Agent.username == args.username))
                if found is None:
                    raise AccountError(f"no account {args.username!r}")
                found.enabled = False
                await session.commit()
                print(f"disabled {found.username}")
    finally:
        await engine.dispose()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m api.callcenter.accounts", description="Console accounts."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an agent or supervisor")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="the name citizens see")
    add.add_argument("--role", choices=[role.value for role in AgentRole], default="agent")
    add.add_argument("--team", action="append", choices=list(TEAMS), help="repeatable; default general")
    commands.add_parser("list", help="list the accounts")
    disable = commands.add_parser("disable", help="stop an account from logging in")
    disable.add_argument("username")
    try:
        return asyncio.run(_main(parser.parse_args()))
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
