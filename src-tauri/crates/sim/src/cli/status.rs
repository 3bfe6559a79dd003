//! Periodic status lines, so someone watching the simulator sees the car charge.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::{Bus, Device};

/// Logs one line per unit every `every_s` seconds (0 = never) until the task is aborted.
pub(super) fn spawn(bus: Bus, every_s: f64) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Some(period) = Duration::try_from_secs_f64(every_s)
            .ok()
            .filter(|period| !period.is_zero())
        else {
            return;
        };
        let mut interval = tokio::time::interval(period);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            for unit in bus.unit_ids() {
                if let Some(device) = bus.device(unit) {
                    tracing::info!("{}", line(unit, &device));
                }
            }
        }
    })
}

fn line(unit: u8, device: &Device) -> String {
    match device {
        Device::PowerBrain(sim) => {
            let s = sim.snapshot();
            let [l1, l2, l3] = s.phase_currents_a;
            let car = if s.car_connected {
                format!("car {:.2} kWh charged", s.car_charged_wh / 1000.0)
            } else {
                "no car".to_owned()
            };
            format!(
                "{} (unit {unit}): CP {:?}, limit {:.1} A, {}, drawing {l1:.1}/{l2:.1}/{l3:.1} A \
                 = {:.0} W, meter {:.0} Wh, {car}{}",
                sim.name(),
                s.cp_state,
                s.charging_cur_limit_a,
                if s.charging_enabled {
                    "enabled"
                } else {
                    "disabled"
                },
                s.power_w,
                s.energy_wh,
                if s.fail_safe_active {
                    ", FAIL-SAFE"
                } else {
                    ""
                },
            )
        }
        Device::Meter(sim) => {
            let s = sim.snapshot();
            let [l1, l2, l3] = s.currents_a;
            format!(
                "{} (unit {unit}): {l1:.1}/{l2:.1}/{l3:.1} A, {:.0} W, import {:.3} kWh, \
                 export {:.3} kWh",
                sim.name(),
                s.total_power_w,
                s.import_wh / 1000.0,
                s.export_wh / 1000.0
            )
        }
    }
}
