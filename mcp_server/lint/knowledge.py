"""What the linter knows about calls: one table, read by every rule.

Each key is a fully qualified name as the linter resolves it (`from datetime import datetime as dt;
dt.now()` resolves to `datetime.datetime.now`). An attribute taken from a call resolves through the
call, so `pathlib.Path(p).read_text` is `pathlib.Path.read_text`. Lookup tries the exact name
first, then the longest `prefix` entry above it. An entry whose `rule` is None marks a name as
known-safe and stops the search (`numpy.random.Generator` under the `numpy.random` prefix); the
linter does not follow a call of it either.

`sandbox` records what the SDK's workflow sandbox does with the call at run time (temporalio 1.35,
measured): "import" = rejected at import and at run time, "runtime" = rejected while the workflow
runs, "warns" = only a UserWarning, "never" = allowed, so only a linter catches it.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Sandbox = Literal["import", "runtime", "warns", "never"]

# Rule codes used by the table (documented in rules.py).
WALL_CLOCK = "TPR101"
IMPLICIT_CLOCK = "TPR102"
RANDOM = "TPR103"
UNSEEDED_RNG = "TPR104"
UUID = "TPR105"
BLOCKING_SLEEP = "TPR106"
ASYNCIO_WAIT = "TPR107"
FILE_IO = "TPR201"
NETWORK = "TPR202"
SUBPROCESS = "TPR203"
THREADING = "TPR204"
ENVIRONMENT = "TPR205"
HASH_ID = "TPR302"
GLOBAL_STATE = "TPR303"
REPLAY_LOGGING = "TPR602"
SANDBOX_ESCAPE = "TPR603"
# The rules whose findings carry an automatic fix (fixes.py), in a workflow context.
FIXABLE = frozenset({WALL_CLOCK, RANDOM, UUID, BLOCKING_SLEEP, ASYNCIO_WAIT})


class Entry(NamedTuple):
    rule: str | None
    replacement: str | None
    sandbox: Sandbox
    reason: str
    # "call": flag calls; "ref": flag any read of the name (os.environ is read, not called).
    match: Literal["call", "ref"] = "call"
    # Flag the call only when this argument (position, keyword) is missing or None:
    # `random.Random()` is non-deterministic, `random.Random(seed)` is not.
    unless_arg: tuple[int, str] | None = None
    prefix: bool = False
    # Names below this one (methods of its result) are safe: `default_rng(seed).random()`.
    results_safe: bool = False
    # Blocks the event loop: also wrong inside an `async def` activity.
    blocking: bool = False


def _group(names: str, **fields: object) -> dict[str, Entry]:
    entry = Entry(**fields)  # type: ignore[arg-type]
    return {name: entry for name in names.split()}


_TIME_REASON = "reads the machine's clock, which differs when the workflow replays"
_IO_REASON = "touches the file system, which can differ or fail when the workflow replays"
_NET_REASON = "performs network I/O, whose result can differ when the workflow replays"
_PROCESS_SETTING = (
    "changes a setting of the whole worker process, shared by every run and activity on it"
)

TABLE: dict[str, Entry] = {
    # --- wall clock -------------------------------------------------------------------------
    **_group(
        "datetime.datetime.now datetime.datetime.utcnow datetime.datetime.today",
        rule=WALL_CLOCK,
        replacement="workflow.now()",
        sandbox="import",
        reason=_TIME_REASON,
    ),
    **_group(
        "datetime.date.today",
        rule=WALL_CLOCK,
        replacement="workflow.now().date() (the UTC date)",
        sandbox="import",
        reason=_TIME_REASON,
    ),
    **_group(
        "time.time time.monotonic time.perf_counter",
        rule=WALL_CLOCK,
        replacement="workflow.time()",
        sandbox="runtime",
        reason=_TIME_REASON,
    ),
    **_group(
        "time.time_ns time.monotonic_ns time.perf_counter_ns",
        rule=WALL_CLOCK,
        replacement="workflow.time_ns()",
        sandbox="runtime",
        reason=_TIME_REASON,
    ),
    # CPU time has no replay-safe counterpart: the workflow's clock measures elapsed time only.
    **_group(
        "time.process_time time.thread_time time.process_time_ns time.thread_time_ns",
        rule=WALL_CLOCK,
        replacement="workflow.time() for elapsed time, or measure CPU time in an activity",
        sandbox="runtime",
        reason="reads this process's CPU clock, which differs when the workflow replays",
    ),
    **_group(
        "time.localtime",
        rule=WALL_CLOCK,
        replacement="workflow.now()",
        sandbox="runtime",
        reason="reads the clock and the worker's time zone, which differ when the workflow replays",
    ),
    **_group(
        "pendulum.now pendulum.today pendulum.yesterday pendulum.tomorrow arrow.now arrow.utcnow",
        rule=WALL_CLOCK,
        replacement="workflow.now()",
        sandbox="runtime",
        reason=_TIME_REASON,
    ),
    # --- clocks hidden inside other calls: the sandbox lets all of these through ---------------
    **_group(
        "time.gmtime time.ctime time.asctime",
        rule=IMPLICIT_CLOCK,
        replacement="pass `workflow.time()` explicitly",
        sandbox="never",
        reason="reads the clock when called without a time argument",
        unless_arg=(0, ""),
    ),
    "time.strftime": Entry(
        rule=IMPLICIT_CLOCK,
        replacement="pass `time.gmtime(workflow.time())` as the second argument",
        sandbox="never",
        reason="formats the current clock time when given no time argument",
        unless_arg=(1, ""),
    ),
    "email.utils.formatdate": Entry(
        rule=IMPLICIT_CLOCK,
        replacement="pass `timeval=workflow.time()`",
        sandbox="never",
        reason="formats the current clock time when given no `timeval`",
        unless_arg=(0, "timeval"),
    ),
    "email.utils.localtime": Entry(
        rule=IMPLICIT_CLOCK,
        replacement="pass `workflow.now()` explicitly",
        sandbox="never",
        reason="reads the clock when called without a datetime",
        unless_arg=(0, "dt"),
    ),
    "email.utils.make_msgid": Entry(
        rule=IMPLICIT_CLOCK,
        replacement="build the id from `workflow.uuid4()`",
        sandbox="never",
        reason="mixes the clock, the process id and OS randomness into the id",
    ),
    # --- randomness -------------------------------------------------------------------------
    **_group(
        "random.random random.randint random.randrange random.choice random.choices "
        "random.shuffle random.sample random.uniform random.triangular random.gauss "
        "random.normalvariate random.lognormvariate random.expovariate random.vonmisesvariate "
        "random.gammavariate random.betavariate random.paretovariate random.weibullvariate "
        "random.getrandbits random.randbytes random.binomialvariate random.seed "
        "random.getstate random.setstate",
        rule=RANDOM,
        replacement="workflow.random()",
        sandbox="import",
        reason="draws from the process-wide generator, which is seeded differently on replay",
    ),
    **_group(
        "secrets",
        rule=RANDOM,
        replacement="workflow.random()",
        sandbox="import",
        prefix=True,
        reason="draws from OS entropy, which differs on replay",
    ),
    **_group(
        "os.urandom os.getrandom",
        rule=RANDOM,
        replacement="workflow.random().randbytes(n)",
        sandbox="runtime",
        reason="draws from OS entropy, which differs on replay",
    ),
    **_group(
        "numpy.random",
        rule=RANDOM,
        replacement="numpy.random.default_rng(workflow.random().getrandbits(64))",
        sandbox="never",
        prefix=True,
        reason="draws from NumPy's global generator, which the sandbox cannot see",
    ),
    # Seeded generators are deterministic; unseeded ones draw their seed from the OS.
    **_group(
        "random.Random",
        rule=UNSEEDED_RNG,
        replacement="workflow.random() or workflow.new_random(name)",
        sandbox="never",
        unless_arg=(0, "x"),
        results_safe=True,
        reason="seeds itself from OS entropy when no seed is given",
    ),
    **_group(
        "random.SystemRandom",
        rule=UNSEEDED_RNG,
        replacement="workflow.random()",
        sandbox="never",
        reason="draws every value from OS entropy and cannot be seeded",
    ),
    **_group(
        "numpy.random.default_rng numpy.random.RandomState",
        rule=UNSEEDED_RNG,
        replacement="numpy.random.default_rng(workflow.random().getrandbits(64))",
        sandbox="never",
        unless_arg=(0, "seed"),
        results_safe=True,
        reason="seeds itself from OS entropy when no seed is given",
    ),
    **_group(
        "numpy.random.Generator numpy.random.SeedSequence numpy.random.PCG64 "
        "numpy.random.Philox numpy.random.MT19937 numpy.random.SFC64 numpy.random.BitGenerator",
        rule=None,
        replacement=None,
        sandbox="never",
        results_safe=True,
        reason="explicit generators and seeds are deterministic",
    ),
    # --- ids ----------------------------------------------------------------------------------
    **_group(
        "uuid.uuid1 uuid.uuid4",
        rule=UUID,
        replacement="workflow.uuid4()",
        sandbox="runtime",
        reason="builds the id from OS randomness or the clock, so replay gets a different id",
    ),
    **_group(
        "uuid.uuid6 uuid.uuid7",
        rule=UUID,
        replacement="workflow.uuid7()",
        sandbox="runtime",
        reason="builds the id from the clock and OS randomness, so replay gets a different id",
    ),
    # --- blocking sleep -----------------------------------------------------------------------
    "time.sleep": Entry(
        rule=BLOCKING_SLEEP,
        replacement="await asyncio.sleep(...) or await workflow.sleep(...)",
        sandbox="runtime",
        blocking=True,
        reason="blocks the event loop instead of starting a durable timer",
    ),
    # --- asyncio ------------------------------------------------------------------------------
    "asyncio.wait": Entry(
        rule=ASYNCIO_WAIT,
        replacement="workflow.wait(...)",
        sandbox="warns",
        reason="returns sets of tasks, whose iteration order differs between processes",
    ),
    "asyncio.as_completed": Entry(
        rule=ASYNCIO_WAIT,
        replacement="workflow.as_completed(...)",
        sandbox="warns",
        reason="orders results through a set, which differs between processes",
    ),
    # --- file I/O -----------------------------------------------------------------------------
    **_group(
        "builtins.open builtins.input io.open io.open_code os.open os.read os.write os.fdopen "
        "os.listdir os.scandir os.walk os.stat os.lstat os.remove os.unlink os.mkdir "
        "os.makedirs os.rename os.renames os.replace os.rmdir os.removedirs os.getcwd "
        "os.chmod os.chown os.link os.symlink os.readlink os.truncate os.access os.utime "
        "os.path.exists os.path.lexists os.path.isfile os.path.isdir os.path.islink "
        "os.path.ismount os.path.getsize os.path.getmtime os.path.getatime os.path.getctime "
        "os.path.abspath os.path.realpath os.path.expanduser os.path.samefile "
        "pathlib.Path.cwd pathlib.Path.home pathlib.Path.open pathlib.Path.read_text "
        "pathlib.Path.read_bytes pathlib.Path.write_text pathlib.Path.write_bytes "
        "pathlib.Path.exists pathlib.Path.is_file pathlib.Path.is_dir pathlib.Path.is_symlink "
        "pathlib.Path.iterdir pathlib.Path.glob pathlib.Path.rglob pathlib.Path.walk "
        "pathlib.Path.mkdir pathlib.Path.rmdir pathlib.Path.unlink pathlib.Path.touch "
        "pathlib.Path.stat pathlib.Path.lstat pathlib.Path.resolve pathlib.Path.absolute "
        "pathlib.Path.expanduser pathlib.Path.rename pathlib.Path.replace pathlib.Path.samefile "
        "pathlib.Path.chmod pathlib.Path.owner pathlib.Path.group pathlib.Path.readlink",
        rule=FILE_IO,
        replacement="an activity",
        sandbox="runtime",
        reason=_IO_REASON,
        blocking=True,
    ),
    **_group(
        "shutil tempfile glob fileinput dbm shelve",
        rule=FILE_IO,
        replacement="an activity",
        sandbox="import",
        reason=_IO_REASON,
        prefix=True,
        blocking=True,
    ),
    "aiofiles": Entry(
        rule=FILE_IO,
        replacement="an activity",
        sandbox="never",
        reason=_IO_REASON,
        prefix=True,
    ),
    # --- network and databases ------------------------------------------------------------
    **_group(
        "requests urllib.request urllib3 http.client socket smtplib ftplib imaplib poplib "
        "xmlrpc.client sqlite3 psycopg psycopg2 pymysql MySQLdb pymongo redis.Redis "
        "redis.StrictRedis redis.from_url boto3 botocore sqlalchemy.create_engine "
        "google.cloud azure kafka confluent_kafka pika elasticsearch stripe openai anthropic "
        "grpc.insecure_channel grpc.secure_channel",
        rule=NETWORK,
        replacement="an activity",
        sandbox="runtime",
        reason=_NET_REASON,
        prefix=True,
        blocking=True,
    ),
    **_group(
        "httpx aiohttp asyncpg motor redis.asyncio aiobotocore aioboto3 "
        "sqlalchemy.ext.asyncio.create_async_engine grpc.aio asyncio.open_connection "
        "asyncio.start_server temporalio.client.Client.connect",
        rule=NETWORK,
        replacement="an activity",
        sandbox="runtime",
        reason=_NET_REASON,
        prefix=True,
    ),
    # The async clients of SDKs whose synchronous clients block.
    **_group(
        "openai.AsyncOpenAI openai.AsyncAzureOpenAI openai.AsyncClient anthropic.AsyncAnthropic "
        "anthropic.AsyncAnthropicBedrock anthropic.AsyncAnthropicVertex psycopg.AsyncConnection "
        "psycopg.AsyncCursor pymongo.AsyncMongoClient pymongo.asynchronous "
        "elasticsearch.AsyncElasticsearch",
        rule=NETWORK,
        replacement="an activity",
        sandbox="runtime",
        reason=_NET_REASON,
        prefix=True,
    ),
    # httpx's synchronous API blocks an async activity's event loop; its AsyncClient does not.
    **_group(
        "httpx.get httpx.post httpx.put httpx.patch httpx.delete httpx.head httpx.options "
        "httpx.request httpx.stream httpx.Client",
        rule=NETWORK,
        replacement="an activity",
        sandbox="runtime",
        reason=_NET_REASON,
        prefix=True,
        blocking=True,
    ),
    # --- subprocesses -------------------------------------------------------------------------
    **_group(
        "subprocess os.system os.popen os.spawnl os.spawnlp os.spawnv os.spawnvp os.execv "
        "os.execvp os.execl os.execlp os.fork os.kill pty.spawn",
        rule=SUBPROCESS,
        replacement="an activity",
        sandbox="import",
        prefix=True,
        blocking=True,
        reason="runs another process, whose result can differ on replay",
    ),
    **_group(
        "asyncio.create_subprocess_exec asyncio.create_subprocess_shell",
        rule=SUBPROCESS,
        replacement="an activity",
        sandbox="runtime",
        reason="runs another process, whose result can differ on replay",
    ),
    # --- threads, processes, executors ------------------------------------------------------
    **_group(
        "threading _thread concurrent.futures multiprocessing asyncio.to_thread "
        "asyncio.get_event_loop.run_in_executor asyncio.get_running_loop.run_in_executor "
        "asyncio.run_coroutine_threadsafe anyio.to_thread anyio.to_process anyio.from_thread",
        rule=THREADING,
        replacement="an activity (or asyncio.Lock/Event for coordination)",
        sandbox="runtime",
        prefix=True,
        reason="runs code outside the workflow's deterministic event loop",
    ),
    # --- environment --------------------------------------------------------------------------
    **_group(
        "os.environ os.environb",
        rule=ENVIRONMENT,
        replacement="pass the value in the workflow input",
        sandbox="runtime",
        match="ref",
        reason="reads the worker's environment, which can differ on replay",
    ),
    **_group(
        "os.getenv os.getenvb os.getpid os.getppid os.getuid os.geteuid "
        "os.getgid os.getlogin os.uname os.cpu_count os.getloadavg os.get_terminal_size "
        "socket.gethostname socket.getfqdn getpass.getuser locale.getlocale "
        "locale.getpreferredencoding",
        rule=ENVIRONMENT,
        replacement="pass the value in the workflow input",
        sandbox="runtime",
        reason="reads the worker's environment, which can differ on replay",
    ),
    "platform": Entry(
        rule=ENVIRONMENT,
        replacement="pass the value in the workflow input",
        sandbox="runtime",
        prefix=True,
        reason="reads the worker's platform, which can differ on replay",
    ),
    # --- per-process values -------------------------------------------------------------------
    **_group(
        "builtins.hash builtins.id",
        rule=HASH_ID,
        replacement="a stable key (the value itself, or hashlib over its bytes)",
        sandbox="never",
        reason="returns a per-process value (string hashing is salted per process)",
    ),
    # --- logging that repeats on replay -------------------------------------------------------
    **_group(
        "builtins.print sys.stdout.write sys.stderr.write",
        rule=REPLAY_LOGGING,
        replacement="workflow.logger",
        sandbox="never",
        reason="prints again every time the workflow replays",
    ),
    "logging": Entry(
        rule=REPLAY_LOGGING,
        replacement="workflow.logger",
        sandbox="never",
        prefix=True,
        reason="logs again every time the workflow replays",
    ),
    "loguru.logger": Entry(  # one logger object per process: its methods are the calls
        rule=REPLAY_LOGGING,
        replacement="workflow.logger",
        sandbox="never",
        prefix=True,
        reason="logs again every time the workflow replays",
    ),
    **_group(
        "loguru.logger.bind loguru.logger.opt loguru.logger.patch loguru.logger.contextualize",
        rule=None,
        replacement=None,
        sandbox="never",
        reason="creating a logger writes nothing",
    ),
    **_group(
        "logging.getLogger logging.Logger logging.LoggerAdapter logging.getLevelName "
        "logging.Formatter logging.Handler logging.StreamHandler logging.NullHandler",
        rule=None,
        replacement=None,
        sandbox="never",
        reason="creating a logger writes nothing",
    ),
    # OpenTelemetry's getters read the process's provider; the first call may set it from the
    # environment, once per process and alike in every run. Known safe: neither flagged nor
    # followed (followed, its lazy set-up reads as a write of module-level state).
    **_group(
        "opentelemetry.trace.get_tracer opentelemetry.trace.get_tracer_provider "
        "opentelemetry.trace.get_current_span opentelemetry.metrics.get_meter "
        "opentelemetry.metrics.get_meter_provider",
        rule=None,
        replacement=None,
        sandbox="never",
        reason="reads the provider the process set up once",
    ),
    # Every anyio primitive (task groups, streams, checkpoints) asks for the backend of the
    # running event loop; the first ask imports it into a module-level cache, once per process
    # and alike in every run. Known safe: followed, the lazy import reads as a write of
    # module-level state.
    "anyio._core._eventloop.get_async_backend": Entry(
        rule=None,
        replacement=None,
        sandbox="never",
        reason="returns the backend of the running event loop, imported once per process",
    ),
    # --- setters of process-global configuration ------------------------------------------
    # The standard library is passed through the sandbox, so these change the real process
    # (`sandbox` says whether the sandbox rejects the call first). A third-party library is
    # re-imported for each run unless it is passed through.
    **_group(
        "logging.basicConfig logging.disable logging.setLoggerClass logging.setLogRecordFactory "
        "logging.captureWarnings logging.addLevelName logging.config.dictConfig "
        "logging.config.fileConfig "
        # Loggers are per-process singletons: `getLogger(name)` returns the same one to every run.
        "logging.getLogger.setLevel logging.getLogger.addHandler logging.getLogger.removeHandler "
        "logging.getLogger.addFilter logging.getLogger.removeFilter logging.Logger.setLevel "
        "logging.Logger.addHandler logging.Logger.removeHandler logging.Logger.addFilter "
        "logging.Logger.removeFilter logging.root.setLevel logging.root.addHandler "
        "logging.root.removeHandler temporalio.workflow.logger.setLevel "
        "loguru.logger.add loguru.logger.remove loguru.logger.configure loguru.logger.level "
        "loguru.logger.enable loguru.logger.disable",
        rule=GLOBAL_STATE,
        replacement="configure logging once, where the worker starts",
        sandbox="never",
        reason="changes the logging configuration of the whole worker process, shared by every "
        "run and activity on it",
    ),
    **_group(
        "sys.setrecursionlimit sys.setswitchinterval sys.settrace sys.setprofile "
        "sys.set_int_max_str_digits sys.addaudithook gc.disable gc.enable gc.set_threshold "
        "gc.freeze gc.set_debug faulthandler.enable faulthandler.disable atexit.register "
        "atexit.unregister codecs.register codecs.register_error codecs.unregister "
        "copyreg.pickle mimetypes.add_type mimetypes.init warnings.filterwarnings "
        "warnings.simplefilter warnings.resetwarnings asyncio.set_event_loop_policy",
        rule=GLOBAL_STATE,
        replacement="configure the interpreter once, where the worker starts",
        sandbox="never",
        reason=_PROCESS_SETTING,
    ),
    **_group(
        "threading.settrace threading.setprofile os.chdir os.umask os.putenv os.unsetenv "
        "time.tzset signal.signal signal.setitimer signal.alarm signal.set_wakeup_fd "
        "signal.siginterrupt socket.setdefaulttimeout",
        rule=GLOBAL_STATE,
        replacement="configure the process once, where the worker starts",
        sandbox="runtime",
        reason=_PROCESS_SETTING,
    ),
    **_group(
        "locale.setlocale urllib.request.install_opener",
        rule=GLOBAL_STATE,
        replacement="configure the process once, where the worker starts",
        sandbox="import",
        reason=_PROCESS_SETTING,
    ),
    "decimal.setcontext": Entry(
        rule=GLOBAL_STATE,
        replacement="`with decimal.localcontext(...)` around the arithmetic",
        sandbox="never",
        reason="replaces the decimal context of the worker thread, shared by the other runs on "
        "that thread",
    ),
    # Verified in each library's source: openai-agents (agents/__init__.py, agents/tracing),
    # logfire (logfire/__init__.py), pydantic-ai (Agent.instrument_all), langchain-core
    # (globals.py), OpenTelemetry's API.
    **_group(
        "agents.set_default_openai_key agents.set_default_openai_client "
        "agents.set_default_openai_api agents.set_default_openai_responses_transport "
        "agents.set_tracing_disabled agents.set_trace_processors agents.add_trace_processor "
        "agents.set_trace_provider agents.set_tracing_export_api_key "
        "agents.enable_verbose_stdout_logging agents.tracing.set_tracing_disabled "
        "agents.tracing.set_trace_processors agents.tracing.add_trace_processor "
        "agents.tracing.set_trace_provider agents.tracing.set_tracing_export_api_key "
        "logfire.configure logfire.install_auto_tracing logfire.instrument_pydantic "
        "logfire.instrument_pydantic_ai logfire.instrument_openai logfire.instrument_openai_agents "
        "logfire.instrument_anthropic logfire.instrument_google_genai logfire.instrument_litellm "
        "logfire.instrument_mcp logfire.instrument_httpx logfire.instrument_requests "
        "logfire.instrument_print logfire.instrument_system_metrics "
        "pydantic_ai.Agent.instrument_all pydantic_ai.agent.Agent.instrument_all "
        "langchain_core.globals.set_debug langchain_core.globals.set_verbose "
        "langchain_core.globals.set_llm_cache langchain.globals.set_debug "
        "langchain.globals.set_verbose langchain.globals.set_llm_cache "
        "opentelemetry.trace.set_tracer_provider opentelemetry.metrics.set_meter_provider "
        "opentelemetry.propagate.set_global_textmap",
        rule=GLOBAL_STATE,
        replacement="configure the library once, where the worker starts",
        sandbox="never",
        reason="changes the library's process-wide configuration, shared by every run when the "
        "library is passed through the sandbox or the sandbox is off",
    ),
    # --- sandbox escapes ----------------------------------------------------------------------
    **_group(
        "temporalio.workflow.unsafe.sandbox_unrestricted "
        "temporalio.worker.UnsandboxedWorkflowRunner "
        "temporalio.worker.workflow_sandbox.SandboxRestrictions"
        ".default.with_passthrough_all_modules "
        "temporalio.worker.workflow_sandbox.SandboxRestrictions.with_passthrough_all_modules",
        rule=SANDBOX_ESCAPE,
        replacement=None,
        sandbox="never",
        reason="turns off the sandbox's run-time determinism checks",
    ),
}


# Names whose value is a `pathlib.Path`: `Path(__file__).parent / "rules.yaml"` is a path too, so
# its `read_text()` is file I/O like `Path(p).read_text()`.
PATH_VALUES = frozenset(
    {
        "pathlib.Path",
        "pathlib.PosixPath",
        "pathlib.WindowsPath",
        *(
            f"pathlib.Path.{name}"
            for name in (
                "parent", "with_name", "with_suffix", "with_stem", "with_segments", "joinpath",
                "absolute", "resolve", "expanduser", "relative_to", "cwd", "home",
            )
        ),
    }
)  # fmt: skip

# Calls that run a function they are given, outside the workflow's event loop (another thread
# or process) or as a task of it (a task group), and where that function is: (position, keyword;
# "" when positional only). Workflow code that hands them a function runs it as surely as
# calling it.
_CALLBACK_RUNNERS = {
    "asyncio.to_thread": (0, ""),
    "threading.Thread": (1, "target"),
    "threading.Timer": (1, "function"),
    "multiprocessing.Process": (1, "target"),
    "anyio.abc.TaskGroup.start": (0, ""),
}


def callback_argument(qualified_name: str) -> tuple[int, str] | None:
    """Where the function a call runs is: `asyncio.to_thread(fn, ...)`,
    `loop.run_in_executor(executor, fn, ...)` on any loop, `submit(fn, ...)` and `map(fn, ...)`
    on any `concurrent.futures` executor, `threading.Thread(target=fn)`, `start_soon(fn, ...)`
    on any task group or nursery (anyio, trio)."""
    found = _CALLBACK_RUNNERS.get(qualified_name)
    if found is not None:
        return found
    owner, _, method = qualified_name.rpartition(".")
    if method == "run_in_executor":
        return 1, ""
    if method == "start_soon":
        return 0, ""
    if owner.startswith("concurrent.futures.") and method in ("submit", "map"):
        return 0, "fn" if method == "map" else ""
    return None


def lookup(qualified_name: str, table: dict[str, Entry] = TABLE) -> Entry | None:
    """The entry for `qualified_name`: exact match first, then the nearest prefix entry."""
    entry = table.get(qualified_name)
    if entry is not None:
        return entry
    name = qualified_name
    while "." in name:
        name = name.rpartition(".")[0]
        entry = table.get(name)
        if entry is None:
            continue
        if entry.prefix:
            return entry
        if entry.results_safe:
            return None
    return None


def extended(additions: tuple[tuple[str, str], ...], trusted: tuple[str, ...]) -> dict[str, Entry]:
    """The table plus the user's declarations: `acme.clock.now` -> TPR101, `acme.vault.*` (every
    name below acme.vault), and known-deterministic names (never flagged)."""
    if not additions and not trusted:
        return TABLE
    table = dict(TABLE)
    for name, rule in additions:
        base = name.removesuffix(".*")
        table[base] = Entry(
            rule=rule,
            replacement=_DEFAULT_REPLACEMENT.get(rule, "an activity"),
            sandbox="never",
            reason=(
                "is declared in [tool.temporal-pro] to change process-wide state"
                if rule == GLOBAL_STATE
                else "is declared non-deterministic in [tool.temporal-pro]"
            ),
            prefix=name.endswith(".*"),
            blocking=rule in (FILE_IO, NETWORK, SUBPROCESS, BLOCKING_SLEEP),
        )
    for name in trusted:
        base = name.removesuffix(".*")
        table[base] = Entry(
            rule=None,
            replacement=None,
            sandbox="never",
            reason="declared deterministic",
            prefix=name.endswith(".*"),
            results_safe=True,
        )
    return table


_DEFAULT_REPLACEMENT = {
    WALL_CLOCK: "workflow.now()",
    IMPLICIT_CLOCK: "pass `workflow.now()` explicitly",
    RANDOM: "workflow.random()",
    UNSEEDED_RNG: "workflow.random()",
    UUID: "workflow.uuid4()",
    BLOCKING_SLEEP: "await workflow.sleep(...)",
    ASYNCIO_WAIT: "workflow.wait(...)",
    ENVIRONMENT: "pass the value in the workflow input",
    HASH_ID: "a stable key",
    REPLAY_LOGGING: "workflow.logger",
    GLOBAL_STATE: "configure it once, where the worker starts",
}
