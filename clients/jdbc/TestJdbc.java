// pgjdbc (Debian's libpostgresql-jdbc-java): statements, server-side prepared
// statements (prepareThreshold), batches, transactions, errors with SQLSTATE,
// and the DatabaseMetaData calls tools make (tables, columns, keys, indexes).
// usage: java -cp postgresql.jar:. TestJdbc PORT
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class TestJdbc {
    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    static void eq(Object got, Object want, String what) {
        if (!Objects.equals(got, want)) throw new AssertionError(what + ": got " + got + ", want " + want);
    }

    /** The given columns of every row of a metadata result, as strings. */
    static List<List<String>> rows(ResultSet rs, String... cols) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (String c : cols) row.add(rs.getString(c));
            out.add(row);
        }
        rs.close();
        return out;
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/postgres?user=postgres&prepareThreshold=3";
        try (Connection conn = DriverManager.getConnection(url)) {
            DatabaseMetaData md = conn.getMetaData();
            check(md.getDatabaseProductVersion().startsWith("15."), "server version " + md.getDatabaseProductVersion());
            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE IF EXISTS jd_line, jd_order");
                st.execute("CREATE TABLE jd_order (id serial PRIMARY KEY, customer varchar(40) NOT NULL, placed date DEFAULT '2024-01-02', total numeric(12,2))");
                st.execute("CREATE TABLE jd_line (order_id int REFERENCES jd_order (id), line int, qty int4 CHECK (qty > 0), note text, PRIMARY KEY (order_id, line))");
                st.execute("CREATE INDEX jd_order_customer ON jd_order (customer)");
            }

            // Server-side prepare after prepareThreshold executions, with parameters.
            try (PreparedStatement ins = conn.prepareStatement("INSERT INTO jd_order (customer, total) VALUES (?, ?) RETURNING id")) {
                for (int i = 1; i <= 6; i++) {
                    ins.setString(1, "c" + i);
                    ins.setBigDecimal(2, new BigDecimal(i).multiply(new BigDecimal("1.25")));
                    try (ResultSet rs = ins.executeQuery()) {
                        check(rs.next(), "RETURNING row");
                        eq(rs.getInt(1), i, "serial id");
                    }
                }
            }
            // Batch insert inside a transaction.
            conn.setAutoCommit(false);
            try (PreparedStatement ins = conn.prepareStatement("INSERT INTO jd_line VALUES (?, ?, ?, ?)")) {
                for (int o = 1; o <= 6; o++) {
                    for (int l = 1; l <= 3; l++) {
                        ins.setInt(1, o);
                        ins.setInt(2, l);
                        ins.setInt(3, o * l);
                        if (l == 2) ins.setNull(4, Types.VARCHAR); else ins.setString(4, "n" + o + l);
                        ins.addBatch();
                    }
                }
                int[] counts = ins.executeBatch();
                eq(counts.length, 18, "batch size");
            }
            conn.commit();
            conn.setAutoCommit(true);

            try (PreparedStatement q = conn.prepareStatement(
                    "SELECT o.customer, o.placed, o.total, sum(l.qty) AS qty, count(l.note) AS notes FROM jd_order o JOIN jd_line l ON l.order_id = o.id WHERE o.id >= ? GROUP BY o.id ORDER BY o.id")) {
                for (int run = 0; run < 4; run++) {
                    q.setInt(1, 5);
                    try (ResultSet rs = q.executeQuery()) {
                        check(rs.next(), "row 1");
                        eq(rs.getString("customer"), "c5", "customer");
                        eq(rs.getDate("placed").toString(), "2024-01-02", "default date");
                        eq(rs.getBigDecimal("total"), new BigDecimal("6.25"), "numeric");
                        eq(rs.getLong("qty"), 30L, "sum");
                        eq(rs.getLong("notes"), 2L, "count");
                        check(rs.next(), "row 2");
                        eq(rs.getString(1), "c6", "customer 2");
                        check(!rs.next(), "two rows");
                        ResultSetMetaData rmd = rs.getMetaData();
                        eq(rmd.getColumnTypeName(1), "varchar", "type name");
                        eq(rmd.getColumnTypeName(3), "numeric", "numeric type name");
                        eq(rmd.getColumnTypeName(4), "int8", "sum type");
                    }
                }
            }

            // Errors carry PostgreSQL's SQLSTATE, and a rolled back transaction leaves nothing.
            try (Statement st = conn.createStatement()) {
                try {
                    st.executeUpdate("INSERT INTO jd_line VALUES (1, 9, 0, 'bad')");
                    throw new AssertionError("check constraint not enforced");
                } catch (SQLException e) {
                    eq(e.getSQLState(), "23514", "check violation");
                }
                try {
                    st.executeUpdate("INSERT INTO jd_line VALUES (99, 1, 1, 'orphan')");
                    throw new AssertionError("foreign key not enforced");
                } catch (SQLException e) {
                    eq(e.getSQLState(), "23503", "fk violation");
                }
                conn.setAutoCommit(false);
                st.executeUpdate("DELETE FROM jd_line");
                try {
                    st.executeQuery("SELECT 1/0");
                    throw new AssertionError("no division error");
                } catch (SQLException e) {
                    eq(e.getSQLState(), "22012", "division by zero");
                }
                try {
                    st.executeQuery("SELECT 1");
                    throw new AssertionError("aborted transaction accepted a statement");
                } catch (SQLException e) {
                    eq(e.getSQLState(), "25P02", "in failed transaction");
                }
                conn.rollback();
                conn.setAutoCommit(true);
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jd_line")) {
                    rs.next();
                    eq(rs.getInt(1), 18, "rollback kept rows");
                }
            }

            // DatabaseMetaData, as database tools call it.
            eq(rows(md.getTables(null, "public", "jd_%", new String[] {"TABLE"}), "TABLE_NAME", "TABLE_TYPE"),
                    List.of(List.of("jd_line", "TABLE"), List.of("jd_order", "TABLE")), "getTables");
            eq(rows(md.getColumns(null, "public", "jd_order", "%"), "COLUMN_NAME", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS", "IS_NULLABLE", "COLUMN_DEF", "IS_AUTOINCREMENT"),
                    List.of(Arrays.asList("id", "serial", "10", "0", "NO", "nextval('jd_order_id_seq'::regclass)", "YES"),
                            Arrays.asList("customer", "varchar", "40", "0", "NO", null, "NO"),
                            Arrays.asList("placed", "date", "13", "0", "YES", "'2024-01-02'::date", "NO"),
                            Arrays.asList("total", "numeric", "12", "2", "YES", null, "NO")),
                    "getColumns");
            eq(rows(md.getPrimaryKeys(null, "public", "jd_line"), "COLUMN_NAME", "KEY_SEQ", "PK_NAME"),
                    List.of(List.of("order_id", "1", "jd_line_pkey"), List.of("line", "2", "jd_line_pkey")), "getPrimaryKeys");
            eq(rows(md.getImportedKeys(null, "public", "jd_line"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKCOLUMN_NAME", "FK_NAME", "PK_NAME"),
                    List.of(List.of("jd_order", "id", "order_id", "jd_line_order_id_fkey", "jd_order_pkey")), "getImportedKeys");
            eq(rows(md.getExportedKeys(null, "public", "jd_order"), "FKTABLE_NAME", "FKCOLUMN_NAME"),
                    List.of(List.of("jd_line", "order_id")), "getExportedKeys");
            eq(rows(md.getIndexInfo(null, "public", "jd_order", false, false), "INDEX_NAME", "NON_UNIQUE", "COLUMN_NAME", "ORDINAL_POSITION"),
                    List.of(List.of("jd_order_pkey", "f", "id", "1"), List.of("jd_order_customer", "t", "customer", "1")), "getIndexInfo");
            List<List<String>> schemas = rows(md.getSchemas(), "TABLE_SCHEM");
            check(schemas.contains(List.of("public")) && schemas.contains(List.of("pg_catalog")), "getSchemas " + schemas);
            List<List<String>> types = rows(md.getTypeInfo(), "TYPE_NAME");
            check(types.contains(List.of("int4")) && types.contains(List.of("numeric")), "getTypeInfo");

            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE jd_line, jd_order");
            }
        }
        System.out.println("jdbc ok");
    }
}
