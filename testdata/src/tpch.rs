//! TPC-H data as CSV files that `COPY t FROM '/dir/t.csv' (FORMAT csv)`
//! loads, generated with the `tpchgen` crate (the same data as `dbgen`).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tpchgen::csv::{CustomerCsv, LineItemCsv, NationCsv, OrderCsv, PartCsv, PartSuppCsv, RegionCsv, SupplierCsv};
use tpchgen::generators::{
    CustomerGenerator, LineItemGenerator, NationGenerator, OrderGenerator, PartGenerator, PartSuppGenerator, RegionGenerator, SupplierGenerator,
};

/// The scale factor the test suite uses.
pub const SCALE_FACTOR: f64 = 0.01;

/// The tables, in load order.
pub const TABLES: [&str; 8] = ["region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem"];

/// Where the suite's data goes by default: outside the repository, where
/// the PostgreSQL server process (another user) can read it.
pub fn default_dir() -> PathBuf {
    PathBuf::from("/tmp/oa-tpch-sf0.01")
}

const MARKER: &str = ".complete";

fn marker_text(scale_factor: f64) -> String {
    format!("tpchgen 4 csv sf={scale_factor} tables={}\n", TABLES.join(","))
}

/// Writes `<table>.csv` for the 8 TPC-H tables into `dir` (created if
/// needed), unless a previous run finished writing the same data there.
/// The directory and files are made world-readable, so that a database
/// server running as another user can `COPY` from them. Safe to call from
/// several processes at once: each file appears atomically (written under
/// a temporary name, then renamed), and the marker that makes later calls
/// skip the work is written last.
pub fn generate(dir: &Path, scale_factor: f64) -> io::Result<()> {
    let marker = dir.join(MARKER);
    let want = marker_text(scale_factor);
    let complete = fs::read_to_string(&marker).is_ok_and(|m| m == want) && TABLES.iter().all(|t| dir.join(format!("{t}.csv")).is_file());
    if complete {
        return Ok(());
    }
    fs::create_dir_all(dir)?;
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    for table in TABLES {
        write_atomically(&dir.join(format!("{table}.csv")), |w| write_table(table, scale_factor, w))?;
    }
    write_atomically(&marker, |w| w.write_all(want.as_bytes()))
}

fn write_atomically(path: &Path, fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        fill(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o644))?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

fn write_table(table: &str, sf: f64, w: &mut impl Write) -> io::Result<()> {
    match table {
        "region" => RegionGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", RegionCsv::new(r))),
        "nation" => NationGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", NationCsv::new(r))),
        "part" => PartGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", PartCsv::new(r))),
        "supplier" => SupplierGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", SupplierCsv::new(r))),
        "partsupp" => PartSuppGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", PartSuppCsv::new(r))),
        "customer" => CustomerGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", CustomerCsv::new(r))),
        "orders" => OrderGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", OrderCsv::new(r))),
        "lineitem" => LineItemGenerator::new(sf, 1, 1).iter().try_for_each(|r| writeln!(w, "{}", LineItemCsv::new(r))),
        _ => Err(io::Error::new(io::ErrorKind::InvalidInput, format!("unknown TPC-H table {table}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_once_and_readable() {
        let dir = std::env::temp_dir().join(format!("oa-tpch-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        // A tiny scale factor keeps the test fast; nation and region are fixed.
        generate(&dir, 0.001).unwrap();
        let nation = fs::read_to_string(dir.join("nation.csv")).unwrap();
        assert_eq!(nation.lines().count(), 25);
        assert!(nation.starts_with("0,ALGERIA,0,\""), "{nation}");
        assert_eq!(fs::read_to_string(dir.join("region.csv")).unwrap().lines().count(), 5);
        let lineitem = dir.join("lineitem.csv");
        let meta = fs::metadata(&lineitem).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o644);
        assert_eq!(fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o755);
        // A second call finds the marker and leaves the files alone.
        let modified = meta.modified().unwrap();
        generate(&dir, 0.001).unwrap();
        assert_eq!(fs::metadata(&lineitem).unwrap().modified().unwrap(), modified);
        // Another scale factor regenerates.
        generate(&dir, 0.002).unwrap();
        assert!(fs::read_to_string(dir.join(MARKER)).unwrap().contains("sf=0.002"));
        // No temporary files are left behind.
        let names: Vec<String> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        assert_eq!(names.len(), 9, "{names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
