//! The terminal front end: the terminal, the event loop, and the launcher of the sandbox
//! for `--sandbox`. The effects go to the app layer's executor.

mod keys;
pub mod render;
mod rescue;
mod signals;
mod terminal;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::app::executor::{Executor, initial_state};
use crate::app::{Env, Exit};
use crate::model::KeyringBackend;
use crate::sandbox::{Sandbox, SandboxError, SandboxOptions};
use crate::wizard::{self, Msg};

const TICK: Duration = Duration::from_millis(100);

fn enter() -> Option<(terminal::Guard, terminal::Term)> {
    match terminal::Guard::enter() {
        Ok(gt) => Some(gt),
        Err(e) => {
            eprintln!(
                "error: this terminal cannot run the wizard ({e}); use the commands instead (--help)"
            );
            None
        }
    }
}

/// For the start-up benchmark: leave right after the first frame is on the screen.
fn exit_after_first_frame() -> bool {
    std::env::var_os("M365MW_EXIT_AFTER_FIRST_FRAME").is_some()
}

pub async fn run(env: Env) -> Exit {
    let Some(mut guard_term) = enter() else {
        return Exit::Usage;
    };
    let leave = signals::Leave::listen();
    let exit = event_loop(Arc::new(env), &mut guard_term.1, leave).await;
    drop(guard_term);
    exit
}

/// `--sandbox`: the first frame says the sandbox tenant is starting (a fresh one's signing key
/// takes a moment to generate), then the wizard runs against it. Why the sandbox did not start
/// is returned, with the terminal given back, for the caller to tell.
pub async fn run_sandbox(
    dirs: crate::store::Dirs,
    keyring: KeyringBackend,
    local_offset: time::UtcOffset,
    options: SandboxOptions,
    sign_in: crate::app::sign_in::SignInOptions,
) -> Result<Exit, SandboxError> {
    let Some(mut guard_term) = enter() else {
        return Ok(Exit::Usage);
    };
    // Caught from here on: a signal while the sandbox starts is answered by the loop.
    let leave = signals::Leave::listen();
    if guard_term.1.draw(render::draw_starting).is_err() || exit_after_first_frame() {
        return Ok(Exit::Ok);
    }
    let sandbox = match Sandbox::start(options).await {
        Ok(s) => s,
        Err(e) => {
            drop(guard_term);
            return Err(e);
        }
    };
    let mut env = Env::new(dirs, Some(sandbox.info().link()), keyring);
    env.local_offset = local_offset;
    env.sign_in = sign_in;
    let exit = event_loop(Arc::new(env), &mut guard_term.1, leave).await;
    drop(guard_term);
    sandbox.stop().await;
    Ok(exit)
}

async fn event_loop(
    env: Arc<Env>,
    term: &mut terminal::Term,
    mut leave: Option<signals::Leave>,
) -> Exit {
    let mut state = initial_state(&env);
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    if let Ok(size) = term.size() {
        state.size = (size.width, size.height);
    }
    spawn_input(tx.clone());
    let executor = Executor::new(env.clone(), tx.clone());
    let exit_after_first_frame = exit_after_first_frame();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    // Redrawn only after a message changed something: an idle wizard does not redraw.
    let mut dirty = true;
    loop {
        if dirty {
            let mut viewport = state.viewport;
            if term.draw(|f| viewport = render::frame(f, &state)).is_err() || exit_after_first_frame
            {
                break;
            }
            dirty = false;
            if viewport != state.viewport {
                wizard::update(&mut state, Msg::Viewport(viewport));
            }
        }
        let first = tokio::select! {
            m = rx.recv() => m,
            _ = tick.tick() => Some(Msg::Tick),
            _ = signals::asked(&mut leave) => Some(Msg::Terminate),
        };
        let Some(first) = first else { break };
        let mut batch = vec![first];
        while let Ok(m) = rx.try_recv() {
            batch.push(m);
        }
        let panic_key = panic_key();
        for msg in batch {
            if let (Some(c), Msg::Key(wizard::Key::Char(k))) = (panic_key, &msg)
                && c == *k
            {
                panic!("asked to panic by M365MW_PANIC_ON_KEY");
            }
            let animating = state.busy.is_some()
                || state.checks.running
                || state.checks.waiting.is_some()
                || state.setup.running
                || state.screen == wizard::Screen::SignIn;
            if matches!(msg, Msg::Tick) && !animating {
                continue;
            }
            dirty = true;
            for effect in wizard::update(&mut state, msg) {
                executor.execute(effect);
            }
        }
        rescue::keep(env.profiles(), wizard::draft_of(&state));
        if state.quit {
            break;
        }
    }
    Exit::Ok
}

/// The key that makes the wizard panic, for the tests of what a panic keeps
/// (`M365MW_PANIC_ON_KEY`).
fn panic_key() -> Option<char> {
    std::env::var("M365MW_PANIC_ON_KEY").ok()?.chars().next()
}

/// Reads terminal events on a thread of its own (crossterm's reads block).
fn spawn_input(tx: mpsc::UnboundedSender<Msg>) {
    std::thread::spawn(move || {
        while let Ok(ev) = crossterm::event::read() {
            if let Some(m) = keys::to_msg(ev)
                && tx.send(m).is_err()
            {
                break;
            }
        }
    });
}
