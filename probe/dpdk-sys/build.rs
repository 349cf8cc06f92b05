//! Finds the system's DPDK with pkg-config, compiles the C shim for DPDK's inline functions,
//! and generates bindings for the EAL, ethdev, mbuf, mempool and lcore APIs sigwatch uses.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=wrapper.h");
    println!("cargo:rerun-if-changed=shim.h");
    println!("cargo:rerun-if-changed=shim.c");
    let dpdk = pkg_config::Config::new()
        .atleast_version("22.11")
        .probe("libdpdk")
        .unwrap_or_else(|e| {
            panic!(
                "dpdk-sys needs the system's DPDK (Debian: apt-get install libdpdk-dev \
                 pkg-config clang libclang-dev): {e}"
            )
        });
    // DPDK's headers expect its own config header first, and a CPU baseline that has SSE4.2.
    let mut shim = cc::Build::new();
    shim.file("shim.c")
        .include(".")
        .flag("-include")
        .flag("rte_config.h")
        .flag_if_supported("-march=corei7")
        .opt_level(3)
        .warnings(true);
    for p in &dpdk.include_paths {
        shim.include(p);
    }
    shim.compile("sigwatch_dpdk_shim");

    let mut b = bindgen::Builder::default()
        .header("wrapper.h")
        .clang_arg("-I.")
        .clang_arg("-march=corei7")
        .allowlist_function("rte_eal_(init|cleanup|process_type)")
        .allowlist_function("rte_strerror")
        .allowlist_function("rte_thread_(register|unregister)")
        .allowlist_function("rte_socket_id")
        .allowlist_function("rte_lcore_count")
        .allowlist_function("rte_eth_dev_(count_avail|info_get|configure|start|stop|close|socket_id|is_valid_port|get_name_by_port)")
        .allowlist_function("rte_eth_rx_queue_setup")
        .allowlist_function("rte_eth_promiscuous_enable")
        .allowlist_function("rte_eth_link_get_nowait")
        .allowlist_function("rte_eth_link_speed_to_str")
        .allowlist_function("rte_eth_stats_get")
        .allowlist_function("rte_eth_find_next_owned_by")
        .allowlist_function("rte_pktmbuf_pool_create")
        .allowlist_function("rte_mempool_free")
        .allowlist_function("sigwatch_.*")
        .allowlist_type("rte_eth_(conf|dev_info|stats|link|rss_conf|rxmode)")
        .allowlist_var("RTE_ETH_(MQ_RX_RSS|RSS_IP|RSS_TCP|RSS_UDP|RSS_SCTP|RX_OFFLOAD_TIMESTAMP|LINK_UP)")
        .allowlist_var("RTE_MBUF_DEFAULT_BUF_SIZE|RTE_MAX_ETHPORTS|SOCKET_ID_ANY|RTE_ETH_DEV_NO_OWNER")
        .derive_default(true)
        .layout_tests(false)
        .generate_comments(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()));
    for p in &dpdk.include_paths {
        b = b.clang_arg(format!("-I{}", p.display()));
    }
    let bindings = b.generate().expect("bindgen could not read DPDK's headers");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    bindings
        .write_to_file(out.join("bindings.rs"))
        .expect("writing the bindings");
}
