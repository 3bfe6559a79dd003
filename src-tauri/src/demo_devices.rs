//! Brings the built-in demo installation to life: while the core runs on it, the simulated Power
//! Brain and grid meter of `ampwise-sim demo` answer in this process on the demo's addresses.
//!
//! The ports are bound before the core starts, so its first poll waits in the listen queue instead
//! of failing and marking the devices offline; they are served only if the core then runs on the
//! demo installation, and released otherwise. The simulators are a convenience: when a port is
//! taken (say `ampwise-sim demo` already runs) the app goes on without them.

use ampwise_core::events::ConfigOrigin;
use ampwise_core::CoreHandle;
use ampwise_sim::demo::{DemoError, DemoOptions, DemoSimulators, DEMO_UNIT_ID};

/// The demo devices, bound but not yet answering, or why they could not be bound.
pub struct BoundDemoDevices(Result<DemoSimulators, DemoError>);

/// Binds the demo devices' ports. Needs a tokio runtime.
pub async fn bind() -> BoundDemoDevices {
    BoundDemoDevices(DemoSimulators::bind(DemoOptions::default()).await)
}

impl BoundDemoDevices {
    /// Serves the devices until the core shuts down if `core` runs on the demo installation;
    /// otherwise releases the ports. Never fails: problems are logged.
    pub fn serve_if_demo(self, core: &CoreHandle) {
        if core.snapshot().origin != ConfigOrigin::Demo {
            return;
        }
        let demo = match self.0 {
            Ok(demo) => demo,
            Err(error) => {
                tracing::warn!(%error, "demo simulators not started; the demo devices stay offline unless something else answers there");
                return;
            }
        };
        tracing::info!(
            "demo simulators started on {} (cFos Power Brain, unit {DEMO_UNIT_ID}) and {} (SDM630 grid meter, unit {DEMO_UNIT_ID})",
            demo.powerbrain_address(),
            demo.meter_address()
        );
        let core = core.clone();
        tauri::async_runtime::spawn(async move {
            let shutdown = core.shutdown_requested();
            match demo.serve(shutdown).await {
                Ok(()) => tracing::info!("demo simulators stopped"),
                Err(error) => tracing::warn!(%error, "demo simulators stopped"),
            }
        });
    }
}
