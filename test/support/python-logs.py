"""Writes log files the way StoryOS v2 (Python) did, with Python's own `logging`, for the reader's tests.

    python3 test/support/python-logs.py DIR MODE

MODE:
  rotating  v2's setup: storyos.log through a RotatingFileHandler (a tiny maxBytes, so it rotates
            to storyos.log.1 ... .N) and storyos_errors.log with the error format
            (`Exception: %(exc_info)s` and `---`), `logger.exception` tracebacks included.
  timed     storyos.log through a TimedRotatingFileHandler(when='midnight') with v2's suffix
            %Y%m%d, rolled over twice: storyos.log.20250113, storyos.log.20250114, storyos.log.
  ms        v2's format without a datefmt, so the times carry Python's `,123` milliseconds.
  bracket   StoryOS's own line format written by Python's logging, so the levels are WARNING and
            CRITICAL: `[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s`.

The records' times come from a fixed clock (2025-01-15 10:30:15 local time, then a second or so
apart), so the tests can filter on them; the time zone is the process's (TZ).
"""

import logging
import logging.handlers
import os
import sys
import time

MAIN_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(funcName)s:%(lineno)d - %(message)s"
ERROR_FORMAT = MAIN_FORMAT + "\nException: %(exc_info)s\n---"
DATEFMT = "%Y-%m-%d %H:%M:%S"


class FixedClock(logging.Filter):
    """Gives each record the next time of a scripted clock instead of the wall clock."""

    def __init__(self, start):
        super().__init__()
        self.now = start

    def advance(self, seconds):
        self.now += seconds

    def filter(self, record):
        record.created = self.now
        record.msecs = int(round((self.now - int(self.now)) * 1000)) % 1000
        self.now += 1.125
        return True


def local(y, mo, d, h=0, mi=0, s=0):
    return time.mktime((y, mo, d, h, mi, s, 0, 0, -1))


def loggers(clock, handlers):
    names = ["auth", "game_logic", "db_utils", "llm_utils", "user_actions", "api_calls", "logging_config"]
    out = {}
    for name in names:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        logger.filters = [clock]
        logger.handlers = list(handlers)
        out[name] = logger
    return out


# v2's helpers (logging_config.py): the messages they wrote.
def log_user_action(log, user, action, details=None):
    log["user_actions"].info(f"User: {user} | Action: {action} | Details: {details or {}}")


def log_performance(log, logger, operation, duration, details=None):
    log[logger].info(f"Performance | Operation: {operation} | Duration: {duration:.3f}s | Details: {details or {}}")


def log_api_call(log, service, endpoint, status, duration, details=None):
    log["api_calls"].info(
        f"API Call | Service: {service} | Endpoint: {endpoint} | Status: {status} | Duration: {duration:.3f}s | Details: {details or {}}"
    )


def log_error(log, logger, error, context=None):
    log[logger].error(f"Error: {error} | Context: {context or {}}", exc_info=True)


def load_game(session_id):
    raise ValueError(f"no game {session_id}")


def day(log, clock, n):
    """One day's worth of v2 logging: every kind of line v2 wrote."""
    log["logging_config"].info("Logging configured - level: DEBUG, rotation: size")
    log["auth"].info(f"User alice logged in (day {n})")
    log_user_action(log, "alice", "login", {"session_id": f"sess-{n}a"})
    log_performance(log, "game_logic", "process_player_input", 2.34 + n, {"session_id": f"sess-{n}a", "input_length": 45})
    log_performance(log, "db_utils", "save_turn", 0.05, {"session_id": f"sess-{n}a"})
    log_api_call(log, "xai", "chat", 200, 1.234, {"model": "grok", "tokens": 512})
    log["llm_utils"].warning("Rate limited - retrying in 2s - attempt 2")
    log_user_action(log, "bob", "new_game", {"session_id": f"sess-{n}b", "scenario": "Forest - night"})
    log["db_utils"].debug("Query get_user_game_sessions returned 3 rows")
    try:
        load_game(f"sess-{n}b")
    except ValueError as error:
        log_error(log, "game_logic", error, {"operation": "load_game", "session_id": f"sess-{n}b"})
    log["auth"].info("Two lines\nsecond line of the message")
    log["auth"].info("Control \x1b[31mred\x1b[0m and\ttab")
    log["db_utils"].critical("Database unreachable - giving up")
    try:
        {}["missing"]
    except KeyError:
        log["game_logic"].exception("Turn failed for %s", "bob")


def rotating(directory):
    clock = FixedClock(local(2025, 1, 15, 10, 30, 15))
    formatter = logging.Formatter(MAIN_FORMAT, datefmt=DATEFMT)
    main = logging.handlers.RotatingFileHandler(os.path.join(directory, "storyos.log"), maxBytes=1500, backupCount=20, encoding="utf-8")
    main.setFormatter(formatter)
    errors = logging.handlers.RotatingFileHandler(os.path.join(directory, "storyos_errors.log"), maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8")
    errors.setLevel(logging.ERROR)
    errors.setFormatter(logging.Formatter(ERROR_FORMAT, datefmt=DATEFMT))
    log = loggers(clock, [main, errors])
    for n in range(1, 3):
        day(log, clock, n)
    main.close()
    errors.close()


def timed(directory):
    clock = FixedClock(local(2025, 1, 13, 9, 0, 0))
    handler = logging.handlers.TimedRotatingFileHandler(os.path.join(directory, "storyos.log"), when="midnight", backupCount=7, encoding="utf-8")
    handler.suffix = "%Y%m%d"
    handler.setFormatter(logging.Formatter(MAIN_FORMAT, datefmt=DATEFMT))
    log = loggers(clock, [handler])
    for n, date in enumerate([(2025, 1, 13), (2025, 1, 14), (2025, 1, 15)], start=1):
        clock.now = local(*date, 9, 0, 0)
        log["auth"].info(f"Day {n} begins")
        log_performance(log, "game_logic", "process_player_input", 0.5 * n, {"session_id": f"day-{n}"})
        if n < 3:
            # The midnight after this day: the handler names the file for the day that ended.
            handler.rolloverAt = int(local(*date)) + 24 * 3600
            handler.doRollover()
    handler.close()


def with_ms(directory):
    clock = FixedClock(local(2025, 1, 15, 10, 30, 15) + 0.123)
    handler = logging.FileHandler(os.path.join(directory, "storyos.log"), encoding="utf-8")
    handler.setFormatter(logging.Formatter(MAIN_FORMAT))
    log = loggers(clock, [handler])
    day(log, clock, 1)
    handler.close()


def bracket(directory):
    clock = FixedClock(local(2025, 1, 15, 10, 30, 15) + 0.5)
    formatter = logging.Formatter("[%(asctime)s] [%(levelname)s] [%(name)s] %(message)s")
    main = logging.FileHandler(os.path.join(directory, "storyos.log"), encoding="utf-8")
    main.setFormatter(formatter)
    errors = logging.FileHandler(os.path.join(directory, "storyos_errors.log"), encoding="utf-8")
    errors.setLevel(logging.ERROR)
    errors.setFormatter(formatter)
    log = loggers(clock, [main, errors])
    log["auth"].info("User action: login (user_id: alice, session: s1)")
    log["game_logic"].log(logging.INFO, "process_player_input completed (duration: 2.34s, session: s1)")
    log["llm_utils"].warning("Rate limited (attempt: 2)")
    log["db_utils"].error("Database operation failed (operation: save_turn)")
    log["db_utils"].critical("Database unreachable")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log["game_logic"].exception("Turn failed (session: s1)")
    main.close()
    errors.close()


MODES = {"rotating": rotating, "timed": timed, "ms": with_ms, "bracket": bracket}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in MODES:
        sys.exit(f"usage: python-logs.py DIR {'|'.join(MODES)}")
    MODES[sys.argv[2]](sys.argv[1])
