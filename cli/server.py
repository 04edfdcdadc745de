"""``certledger server start|stop|status``: the command server that keeps the commands' imports
loaded so that everyday commands start fast (cli/command_server.py, D58; docs/cli.md)."""

from __future__ import annotations

import click

from cli.output import common_options, emit, refuse, settings


@click.group("server")
def server() -> None:
    """A command server: commands start without importing the ledger's code again (opt-in)."""


@server.command("start")
@common_options
def start() -> None:
    """Start this user's server for this installation (returns when it listens)."""
    from cli.command_server import paths
    from cli.server_control import start as start_server

    outcome, detail = start_server()
    s = settings()
    if outcome == "folder":
        zh, en = detail  # type: ignore[misc]
        refuse("server: private folder", f"命令服务器未启动：{zh}。该文件夹须属于当前用户且权限为 0700（或用 CERTLEDGER_SERVER_DIR 另指一个）。",
               f"The command server was not started: {en}. The folder must be this user's with mode 0700 (or name another "
               "with CERTLEDGER_SERVER_DIR).")
    if outcome == "failed":
        refuse("server: start", f"命令服务器未能启动：{detail}", f"The command server did not start: {detail}", refused=False)
    socket = paths()["socket"]
    shown = detail if detail is not None else "?"
    text = (s.t(f"命令服务器已启动（pid {shown}），套接字 {socket}", f"Command server started (pid {shown}), socket {socket}")
            if outcome == "started" else s.t(f"命令服务器已在运行（pid {shown}）", f"Command server already running (pid {shown})"))
    emit({"started": outcome == "started", "running": True, "pid": detail, "socket": socket}, lambda _s: text)


@server.command("stop")
@click.option("--wait", is_flag=True, help="Return only when the server's running commands have ended and it has exited.")
@common_options
def stop(wait: bool) -> None:
    """Stop the server: it stops listening at once and ends when its running commands have ended
    (reported; --wait waits for them)."""
    from cli.server_control import stop as stop_server

    outcome, pid, left = stop_server(wait=wait)
    s = settings()
    if outcome == "running":
        refuse("server: stop", f"命令服务器（pid {pid}）收到停止信号后仍在监听", f"The command server (pid {pid}) still listens after "
               "being asked to stop", refused=False)
    pids = ", ".join(str(p) for p in left)
    text = {"stopped": s.t(f"命令服务器已停止（pid {pid}）", f"Command server stopped (pid {pid})"),
            "stopping": s.t(f"命令服务器（pid {pid}）已停止监听；仍在运行的命令（pid {pids}）结束后退出",
                            f"Command server (pid {pid}) stopped listening; it exits when its running commands (pid {pids}) end"),
            "none": s.t("没有正在运行的命令服务器", "No command server is running")}[outcome]
    data = {"stopped": outcome in ("stopped", "stopping"), "pid": pid or None}
    if outcome == "stopping":
        data["running_pids"] = left
    emit(data, lambda _s: text)


@server.command("status")
@common_options
def status() -> None:
    """Whether a server runs, what it serves, and why it last declined a command."""
    from cli import launch
    from cli.command_server import paths
    from cli.server_control import ask_status

    where = paths()
    problem = launch.folder_problem(where["folder"])
    state = ask_status(where["socket"])
    data = {"running": state is not None, "folder": where["folder"], "socket": where["socket"], "log": where["log"],
            "folder_problem": settings().t(*problem) if problem else None, **(state or {})}

    def render(s: object) -> str:
        st = settings()
        if state is None:
            why = f" ({st.t(*problem)})" if problem else ""
            return st.t(f"命令服务器未运行{why}；命令直接运行。", f"No command server is running{why}; commands run directly.")
        lines = [st.t("命令服务器正在运行", "Command server running") + f": pid {state['pid']}, {where['socket']}",
                 st.t(f"  已运行命令 {state['commands_served']} 条，正在运行 {state['commands_running']} 条；已加载模块 {state['modules_loaded']} 个",
                      f"  commands served {state['commands_served']}, running {state['commands_running']}; modules loaded {state['modules_loaded']}")]
        for reason in state.get("declined_last") or []:
            lines.append(st.t("  直接运行（未经服务器）：", "  run directly (not by the server): ") + reason)
        return "\n".join(lines)

    emit(data, render)
