//! The simulated devices Ampwise's built-in demo installation expects: a cFos Power Brain on
//! Modbus TCP 127.0.0.1:4701 unit 1 whose car plugs in after a few seconds, and an SDM630 grid
//! meter on 127.0.0.1:5020 unit 1 that measures a household base load plus what the car draws.
//!
//! Binding and serving are separate steps, so a caller learns at once whether the ports are free
//! (the desktop app goes on without the simulators when they are not) and can announce where they
//! listen before serving.
//!
//! ```no_run
//! # async fn example() -> Result<(), ampwise_sim::demo::DemoError> {
//! use ampwise_sim::demo::{DemoOptions, DemoSimulators};
//! let demo = DemoSimulators::bind(DemoOptions::default()).await?;
//! println!("Power Brain on {}", demo.powerbrain_address());
//! demo.serve(std::future::pending()).await?;
//! # Ok(()) }
//! ```

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::{
    serve_tcp, Bus, BusError, CarSpec, ConfigError, MeterConfig, MeterSim, PowerBrainConfig,
    PowerBrainSim, ScheduledCar, ServeError,
};

/// The Power Brain's port in the demo installation.
pub const DEMO_POWERBRAIN_PORT: u16 = 4701;
/// The grid meter's port in the demo installation.
pub const DEMO_METER_PORT: u16 = 5020;
/// Both devices answer as unit 1 on their own port.
pub const DEMO_UNIT_ID: u8 = 1;

/// Where the demo devices listen and how they behave.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub host: IpAddr,
    /// 0 picks a free port.
    pub powerbrain_port: u16,
    /// 0 picks a free port.
    pub meter_port: u16,
    /// Household base load per phase the grid meter sees besides the car, in A.
    pub household_a: [f64; 3],
    /// The wallbox, including the car that plugs in by itself.
    pub wallbox: PowerBrainConfig,
}

impl Default for DemoOptions {
    /// The demo installation's addresses, a household of 2/1.5/1 A, and a three-phase car taking
    /// up to 16 A that plugs in 5 s after start.
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            powerbrain_port: DEMO_POWERBRAIN_PORT,
            meter_port: DEMO_METER_PORT,
            household_a: [2.0, 1.5, 1.0],
            wallbox: PowerBrainConfig {
                name: "demo powerbrain".to_owned(),
                scheduled_car: Some(ScheduledCar {
                    after: Duration::from_secs(5),
                    car: CarSpec::default(),
                }),
                ..PowerBrainConfig::default()
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Bus(#[from] BusError),
    #[error("cannot listen on {address}: {source} (is another simulator running there?)")]
    Listen {
        address: SocketAddr,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Serve(#[from] ServeError),
}

/// The demo's wallbox and grid meter, bound to their ports but not yet answering.
pub struct DemoSimulators {
    wallbox: PowerBrainSim,
    meter: MeterSim,
    wallbox_bus: Bus,
    meter_bus: Bus,
    wallbox_listener: TcpListener,
    meter_listener: TcpListener,
    powerbrain_address: SocketAddr,
    meter_address: SocketAddr,
}

impl DemoSimulators {
    /// Builds the devices, links the meter to the wallbox and binds both ports. Clients that
    /// connect before [`DemoSimulators::serve`] wait in the listen queue.
    pub async fn bind(options: DemoOptions) -> Result<Self, DemoError> {
        let wallbox = PowerBrainSim::new(options.wallbox)?;
        let meter = MeterSim::new(MeterConfig {
            name: "demo grid meter".to_owned(),
            household_a: options.household_a,
            ..MeterConfig::default()
        })?;
        meter.link_wallbox(&wallbox);
        let wallbox_bus = Bus::new().with(DEMO_UNIT_ID, &wallbox)?;
        let meter_bus = Bus::new().with(DEMO_UNIT_ID, &meter)?;
        let (wallbox_listener, powerbrain_address) =
            bind(SocketAddr::new(options.host, options.powerbrain_port)).await?;
        let (meter_listener, meter_address) =
            bind(SocketAddr::new(options.host, options.meter_port)).await?;
        Ok(Self {
            wallbox,
            meter,
            wallbox_bus,
            meter_bus,
            wallbox_listener,
            meter_listener,
            powerbrain_address,
            meter_address,
        })
    }

    /// Where the Power Brain listens (the port actually bound when 0 was asked for).
    pub fn powerbrain_address(&self) -> SocketAddr {
        self.powerbrain_address
    }

    /// Where the grid meter listens.
    pub fn meter_address(&self) -> SocketAddr {
        self.meter_address
    }

    pub fn wallbox(&self) -> &PowerBrainSim {
        &self.wallbox
    }

    pub fn meter(&self) -> &MeterSim {
        &self.meter
    }

    /// The wallbox's bus and the meter's bus, e.g. for status lines.
    pub fn buses(&self) -> [Bus; 2] {
        [self.wallbox_bus.clone(), self.meter_bus.clone()]
    }

    /// Answers on both ports until `shutdown` completes; open connections are closed then.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<(), DemoError> {
        // serve_tcp takes its own shutdown future per port; one signal stops both.
        let (stop, stopped) = watch::channel(false);
        let until_stopped = |mut stopped: watch::Receiver<bool>| async move {
            // An error means the sender is gone, which only happens when serving is over.
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let serving = async {
            tokio::try_join!(
                serve_tcp(
                    self.wallbox_listener,
                    self.wallbox_bus,
                    until_stopped(stopped.clone())
                ),
                serve_tcp(self.meter_listener, self.meter_bus, until_stopped(stopped)),
            )
        };
        tokio::pin!(serving);
        tokio::select! {
            result = &mut serving => {
                result?;
                return Ok(());
            }
            () = shutdown => {}
        }
        stop.send_replace(true);
        serving.await?;
        Ok(())
    }
}

/// Binds and serves the demo devices until `shutdown` completes.
pub async fn run_demo(
    options: DemoOptions,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DemoError> {
    DemoSimulators::bind(options).await?.serve(shutdown).await
}

async fn bind(address: SocketAddr) -> Result<(TcpListener, SocketAddr), DemoError> {
    let listen_error = |source| DemoError::Listen { address, source };
    let listener = TcpListener::bind(address).await.map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    Ok((listener, bound))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use tokio_modbus::client::tcp;
    use tokio_modbus::prelude::*;

    use super::*;

    fn on_free_ports() -> DemoOptions {
        let mut options = DemoOptions {
            powerbrain_port: 0,
            meter_port: 0,
            ..DemoOptions::default()
        };
        options.wallbox.scheduled_car = Some(ScheduledCar {
            after: Duration::ZERO,
            car: CarSpec::default(),
        });
        options
    }

    fn float(words: &[u16]) -> f32 {
        f32::from_bits((u32::from(words[0]) << 16) | u32::from(words[1]))
    }

    #[test]
    fn the_defaults_are_the_demo_installations_addresses() {
        let options = DemoOptions::default();
        assert_eq!(options.host, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(options.powerbrain_port, 4701);
        assert_eq!(options.meter_port, 5020);
        assert!(
            options.wallbox.scheduled_car.is_some(),
            "the demo has a car"
        );
    }

    #[tokio::test]
    async fn serves_a_charging_car_and_a_meter_that_sees_it_until_shut_down() {
        let demo = DemoSimulators::bind(on_free_ports()).await.unwrap();
        let wallbox = demo.powerbrain_address();
        let meter = demo.meter_address();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(demo.serve(async {
            let _ = stopped.await;
        }));

        let mut ctx = tcp::connect_slave(wallbox, Slave(DEMO_UNIT_ID))
            .await
            .unwrap();
        // CP state register 8092: 2 = C, charging.
        assert_eq!(
            ctx.read_holding_registers(8092, 1).await.unwrap().unwrap(),
            vec![2]
        );
        let mut ctx = tcp::connect_slave(meter, Slave(DEMO_UNIT_ID))
            .await
            .unwrap();
        let words = ctx.read_input_registers(0x06, 6).await.unwrap().unwrap();
        let currents: Vec<f32> = words.chunks(2).map(float).collect();
        assert_eq!(currents, vec![18.0, 17.5, 17.0], "household plus 16 A car");

        stop.send(()).unwrap();
        serving.await.unwrap().unwrap();
        assert!(
            tokio::net::TcpStream::connect(wallbox).await.is_err(),
            "the port is closed after shutdown"
        );
    }

    #[tokio::test]
    async fn a_taken_port_is_named() {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = taken.local_addr().unwrap().port();
        let options = DemoOptions {
            meter_port: port,
            ..on_free_ports()
        };
        let Err(error) = DemoSimulators::bind(options).await else {
            panic!("binding a taken port succeeded");
        };
        assert!(matches!(error, DemoError::Listen { .. }), "{error:?}");
        assert!(error.to_string().contains(&port.to_string()), "{error}");
    }
}
