//! The abstract syntax tree. Shapes follow PostgreSQL's raw parse nodes
//! (parsenodes.h) so the binder can follow PostgreSQL's analysis code;
//! `loc` fields are byte offsets into the statement text, where PostgreSQL
//! would report an error.

/// A possibly qualified name, e.g. `pg_catalog.int4` or `s.t`.
pub type QualifiedName = Vec<String>;

#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Select(Box<SelectStmt>),
    Insert(Box<InsertStmt>),
    Update(Box<UpdateStmt>),
    Delete(Box<DeleteStmt>),
    CreateTable(Box<CreateTableStmt>),
    CreateTableAs(Box<CreateTableAsStmt>),
    CreateView(Box<CreateViewStmt>),
    CreateIndex(Box<CreateIndexStmt>),
    CreateSequence(Box<CreateSequenceStmt>),
    AlterSequence(Box<AlterSequenceStmt>),
    CreateSchema(Box<CreateSchemaStmt>),
    AlterTable(Box<AlterTableStmt>),
    Rename(Box<RenameStmt>),
    AlterObjectSchema(Box<AlterObjectSchemaStmt>),
    Drop(Box<DropStmt>),
    Truncate(Box<TruncateStmt>),
    Transaction(TransactionStmt),
    SetConstraints(Box<ConstraintsSetStmt>),
    /// CLOSE name / CLOSE ALL (None).
    Close(Option<String>),
    /// UNLISTEN channel / UNLISTEN * (None).
    Unlisten(Option<String>),
    /// LISTEN channel.
    Listen(String),
    /// NOTIFY channel [, 'payload'].
    Notify {
        channel: String,
        payload: Option<String>,
    },
    Set(Box<SetStmt>),
    Show(ShowStmt),
    Prepare(Box<PrepareStmt>),
    Execute(Box<ExecuteStmt>),
    Deallocate(DeallocateStmt),
    Explain(Box<ExplainStmt>),
    Copy(Box<CopyStmt>),
    Analyze(AnalyzeStmt),
    Vacuum(VacuumStmt),
    Discard(DiscardKind),
    Comment(Box<CommentStmt>),
    /// A statement PostgreSQL accepts that OpenAssay parses only far enough to name it.
    Unsupported(UnsupportedStmt),
}

/// The part of a statement kind the grammar recognises but does not build yet.
#[derive(Clone, Debug, PartialEq)]
pub struct UnsupportedStmt {
    pub what: String,
    pub loc: usize,
}

// ---------------------------------------------------------------- SELECT

#[derive(Clone, Debug, PartialEq)]
pub struct SelectStmt {
    pub with: Option<WithClause>,
    pub body: SetExpr,
    pub order_by: Vec<SortBy>,
    pub limit: Option<LimitClause>,
    pub locking: Vec<LockingClause>,
    pub loc: usize,
}

impl SelectStmt {
    pub fn simple(body: SetExpr, loc: usize) -> Self {
        SelectStmt { with: None, body, order_by: vec![], limit: None, locking: vec![], loc }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetExpr {
    Select(Box<SimpleSelect>),
    Values(Vec<Vec<Expr>>),
    SetOp {
        op: SetOp,
        all: bool,
        left: Box<SetExpr>,
        right: Box<SetExpr>,
        loc: usize,
    },
    /// A parenthesized query with its own ORDER BY, LIMIT or WITH.
    Query(Box<SelectStmt>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimpleSelect {
    pub distinct: Option<Distinct>,
    pub targets: Vec<ResTarget>,
    pub into: Option<IntoClause>,
    pub from: Vec<TableRef>,
    pub where_clause: Option<Expr>,
    pub group_by: Option<GroupByClause>,
    pub having: Option<Expr>,
    pub windows: Vec<WindowDef>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Distinct {
    All,
    On(Vec<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct IntoClause {
    pub temp: bool,
    pub unlogged: bool,
    pub name: QualifiedName,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ResTarget {
    /// `*` or `t.*` is an expression (a ColumnRef ending in Star).
    Expr { expr: Expr, alias: Option<String>, loc: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct WithClause {
    pub recursive: bool,
    pub ctes: Vec<CommonTableExpr>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CommonTableExpr {
    pub name: String,
    pub columns: Vec<String>,
    pub materialized: Option<bool>,
    pub query: Box<Statement>,
    pub search: Option<CteSearch>,
    pub cycle: Option<CteCycle>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CteSearch {
    pub breadth_first: bool,
    pub columns: Vec<String>,
    pub set_column: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CteCycle {
    pub columns: Vec<String>,
    pub mark_column: String,
    pub mark_value: Option<Expr>,
    pub mark_default: Option<Expr>,
    pub path_column: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortBy {
    pub expr: Expr,
    pub dir: SortDir,
    pub nulls: Option<NullsOrder>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SortDir {
    Default,
    Asc,
    Desc,
    /// `USING op`
    Using(QualifiedName),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LimitClause {
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    pub with_ties: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LockingClause {
    pub strength: LockStrength,
    pub of: Vec<QualifiedName>,
    pub wait: LockWait,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockStrength {
    Update,
    NoKeyUpdate,
    Share,
    KeyShare,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockWait {
    Block,
    NoWait,
    SkipLocked,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GroupByClause {
    pub distinct: bool,
    pub items: Vec<GroupingItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GroupingItem {
    Expr(Expr),
    /// `()`
    Empty,
    Rollup(Vec<Expr>),
    Cube(Vec<Expr>),
    Sets(Vec<GroupingItem>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowDef {
    pub name: Option<String>,
    pub spec: WindowSpec,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowSpec {
    pub existing: Option<String>,
    /// `OVER name` without parentheses: the WINDOW clause's window itself
    /// (`OVER (name)` is a copy of it).
    pub by_name: bool,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortBy>,
    pub frame: Option<WindowFrame>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowFrame {
    pub mode: FrameMode,
    pub start: FrameBound,
    pub end: Option<FrameBound>,
    pub exclusion: FrameExclusion,
    /// Where the start and end bounds are written (for frame_extent's errors).
    pub start_loc: usize,
    pub end_loc: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameMode {
    Rows,
    Range,
    Groups,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    Preceding(Box<Expr>),
    CurrentRow,
    Following(Box<Expr>),
    UnboundedFollowing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameExclusion {
    None,
    CurrentRow,
    Group,
    Ties,
}

// ---------------------------------------------------------------- FROM

#[derive(Clone, Debug, PartialEq)]
pub struct RangeVar {
    pub name: QualifiedName,
    /// `ONLY t` / `t *`: None = default (inheritance on).
    pub inh: bool,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Alias {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableRef {
    Relation { rel: RangeVar, alias: Option<Alias>, sample: Option<Box<TableSample>> },
    Subquery { lateral: bool, query: Box<SelectStmt>, alias: Option<Alias>, loc: usize },
    Function { lateral: bool, func: Box<RangeFunction>, alias: Option<Alias>, column_defs: Vec<ColumnDefSimple>, loc: usize },
    Join(Box<JoinExpr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableSample {
    pub method: QualifiedName,
    pub args: Vec<Expr>,
    pub repeatable: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RangeFunction {
    /// One call, or several for `ROWS FROM (f(), g())`.
    pub calls: Vec<Expr>,
    pub rows_from: bool,
    pub ordinality: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDefSimple {
    pub name: String,
    pub type_name: TypeName,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JoinExpr {
    pub kind: JoinKind,
    pub natural: bool,
    pub left: TableRef,
    pub right: TableRef,
    pub quals: JoinQual,
    pub alias: Option<Alias>,
    pub loc: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    Left,
    Right,
    Full,
    Cross,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JoinQual {
    None,
    On(Expr),
    Using { columns: Vec<String>, alias: Option<String> },
}

// ---------------------------------------------------------------- expressions

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub loc: usize,
}

impl Expr {
    pub fn new(kind: ExprKind, loc: usize) -> Self {
        Expr { kind, loc }
    }

    pub fn boxed(kind: ExprKind, loc: usize) -> Box<Self> {
        Box::new(Expr { kind, loc })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Integer(i32),
    /// A numeric literal too large for int4 or with a point/exponent, as written.
    Numeric(String),
    String(String),
    /// `b0101` or `x1F`, as bit_in reads it.
    BitString(String),
    Boolean(bool),
    Null,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ColumnField {
    Name(String),
    Star,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Indirection {
    Field(String),
    Star,
    Subscript { lower: Option<Box<Expr>>, upper: Option<Box<Expr>>, slice: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolOp {
    And,
    Or,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoolTest {
    True,
    False,
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LikeKind {
    Like,
    ILike,
    Similar,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubLinkKind {
    Exists,
    Any,
    All,
    Expr,
    Array,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SqlValueFunction {
    CurrentDate,
    CurrentTime,
    CurrentTimestamp,
    LocalTime,
    LocalTimestamp,
    CurrentRole,
    CurrentUser,
    User,
    SessionUser,
    CurrentCatalog,
    CurrentSchema,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MinMax {
    Greatest,
    Least,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FuncArg {
    pub name: Option<String>,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FuncCall {
    pub name: QualifiedName,
    pub args: Vec<FuncArg>,
    pub agg_star: bool,
    pub distinct: bool,
    pub variadic: bool,
    pub order_by: Vec<SortBy>,
    pub within_group: bool,
    pub filter: Option<Box<Expr>>,
    pub over: Option<Box<WindowSpec>>,
    /// Set when the grammar rewrote SQL syntax (EXTRACT, TRIM, …) into this call:
    /// PostgreSQL's COERCE_SQL_SYNTAX.
    pub sql_syntax: bool,
}

impl FuncCall {
    pub fn new(name: QualifiedName, args: Vec<Expr>) -> Self {
        FuncCall {
            name,
            args: args.into_iter().map(|value| FuncArg { name: None, value }).collect(),
            agg_star: false,
            distinct: false,
            variadic: false,
            order_by: vec![],
            within_group: false,
            filter: None,
            over: None,
            sql_syntax: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    ColumnRef(Vec<ColumnField>),
    Param(i32),
    Literal(Literal),
    /// `type 'string'`, e.g. `date '2001-01-01'`, `interval '1' day`.
    TypedLiteral {
        type_name: TypeName,
        value: String,
    },
    Indirection {
        base: Box<Expr>,
        path: Vec<Indirection>,
    },
    /// A binary operator, possibly schema-qualified (`OPERATOR(pg_catalog.+)`).
    BinaryOp {
        op: QualifiedName,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// A prefix operator.
    UnaryOp {
        op: QualifiedName,
        arg: Box<Expr>,
    },
    Bool {
        op: BoolOp,
        args: Vec<Expr>,
    },
    IsNull {
        arg: Box<Expr>,
        negated: bool,
    },
    IsBool {
        arg: Box<Expr>,
        test: BoolTest,
        negated: bool,
    },
    IsDistinctFrom {
        left: Box<Expr>,
        right: Box<Expr>,
        negated: bool,
    },
    IsNormalized {
        arg: Box<Expr>,
        form: Option<String>,
        negated: bool,
    },
    IsDocument {
        arg: Box<Expr>,
        negated: bool,
    },
    Between {
        arg: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
        symmetric: bool,
    },
    InList {
        arg: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    Like {
        kind: LikeKind,
        arg: Box<Expr>,
        pattern: Box<Expr>,
        escape: Option<Box<Expr>>,
        negated: bool,
    },
    /// `x op ANY/ALL (array)`.
    AnyAll {
        op: QualifiedName,
        all: bool,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// Subquery expressions; `test` and `op` for ANY/ALL/IN.
    SubLink {
        kind: SubLinkKind,
        test: Option<Box<Expr>>,
        op: Option<QualifiedName>,
        query: Box<SelectStmt>,
    },
    Case {
        arg: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        default: Option<Box<Expr>>,
    },
    Cast {
        arg: Box<Expr>,
        type_name: TypeName,
    },
    Collate {
        arg: Box<Expr>,
        collation: QualifiedName,
    },
    AtTimeZone {
        arg: Box<Expr>,
        zone: Box<Expr>,
    },
    Func(Box<FuncCall>),
    Coalesce(Vec<Expr>),
    NullIf(Box<Expr>, Box<Expr>),
    MinMax {
        op: MinMax,
        args: Vec<Expr>,
    },
    SqlValue {
        func: SqlValueFunction,
        precision: Option<i32>,
    },
    Row {
        args: Vec<Expr>,
        explicit: bool,
    },
    Array(Vec<Expr>),
    Grouping(Vec<Expr>),
    /// `DEFAULT` in INSERT VALUES or UPDATE SET.
    Default,
    /// `CURRENT OF cursor`
    CurrentOf(String),
}

// ---------------------------------------------------------------- types

#[derive(Clone, Debug, PartialEq)]
pub struct TypeName {
    /// For SQL-standard spellings the grammar already gives PostgreSQL's
    /// internal name qualified with pg_catalog (`int` → `pg_catalog.int4`).
    pub names: QualifiedName,
    pub typmods: Vec<Expr>,
    /// `[]` bounds; -1 where no size was written.
    pub array_bounds: Vec<i32>,
    pub setof: bool,
    /// `t.col%TYPE`
    pub pct_type: bool,
    pub loc: usize,
}

impl TypeName {
    pub fn system(name: &str, loc: usize) -> Self {
        TypeName { names: vec!["pg_catalog".into(), name.into()], typmods: vec![], array_bounds: vec![], setof: false, pct_type: false, loc }
    }

    pub fn with_typmods(mut self, typmods: Vec<Expr>) -> Self {
        self.typmods = typmods;
        self
    }
}

/// Interval field masks as PostgreSQL encodes them in interval typmods (datetime.h).
pub mod interval_fields {
    pub const MONTH: i32 = 1 << 1;
    pub const YEAR: i32 = 1 << 2;
    pub const DAY: i32 = 1 << 3;
    pub const HOUR: i32 = 1 << 10;
    pub const MINUTE: i32 = 1 << 11;
    pub const SECOND: i32 = 1 << 12;
    pub const FULL_RANGE: i32 = 0x7FFF;
}

// ---------------------------------------------------------------- DML

#[derive(Clone, Debug, PartialEq)]
pub struct InsertStmt {
    pub with: Option<WithClause>,
    pub table: RangeVar,
    pub alias: Option<String>,
    pub columns: Vec<InsertColumn>,
    pub overriding: Option<Overriding>,
    /// None = DEFAULT VALUES.
    pub source: Option<Box<SelectStmt>>,
    pub on_conflict: Option<OnConflict>,
    pub returning: Vec<ResTarget>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InsertColumn {
    pub name: String,
    pub indirection: Vec<Indirection>,
    pub loc: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overriding {
    User,
    System,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OnConflict {
    pub target: Option<ConflictTarget>,
    pub action: ConflictAction,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConflictTarget {
    /// `loc`: the opening parenthesis.
    Columns {
        columns: Vec<IndexElem>,
        where_clause: Option<Expr>,
        loc: usize,
    },
    Constraint(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConflictAction {
    Nothing,
    Update { set: Vec<SetClause>, where_clause: Option<Expr> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetClause {
    Single {
        column: InsertColumn,
        value: Expr,
    },
    /// `(a, b) = (expr, expr)` or `(a, b) = (SELECT …)`
    Multi {
        columns: Vec<InsertColumn>,
        value: Expr,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct UpdateStmt {
    pub with: Option<WithClause>,
    pub table: RangeVar,
    pub alias: Option<Alias>,
    pub set: Vec<SetClause>,
    pub from: Vec<TableRef>,
    pub where_clause: Option<Expr>,
    pub returning: Vec<ResTarget>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeleteStmt {
    pub with: Option<WithClause>,
    pub table: RangeVar,
    pub alias: Option<Alias>,
    pub using: Vec<TableRef>,
    pub where_clause: Option<Expr>,
    pub returning: Vec<ResTarget>,
}

// ---------------------------------------------------------------- DDL

#[derive(Clone, Debug, PartialEq)]
pub struct CreateTableStmt {
    pub name: RangeVar,
    pub persistence: Persistence,
    pub if_not_exists: bool,
    pub elements: Vec<TableElement>,
    pub inherits: Vec<QualifiedName>,
    pub partition_by: Option<PartitionSpec>,
    pub partition_of: Option<QualifiedName>,
    pub with_options: Vec<DefElem>,
    pub on_commit: Option<OnCommit>,
    pub tablespace: Option<String>,
    pub of_type: Option<TypeName>,
    /// `USING method` (table access method).
    pub access_method: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persistence {
    Permanent,
    Temporary,
    Unlogged,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnCommit {
    PreserveRows,
    DeleteRows,
    Drop,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PartitionSpec {
    pub strategy: String,
    pub params: Vec<IndexElem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableElement {
    Column(ColumnDef),
    Constraint(TableConstraint),
    Like { table: QualifiedName, options: Vec<(bool, String)> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub type_name: TypeName,
    pub collation: Option<QualifiedName>,
    pub constraints: Vec<ColumnConstraint>,
    /// `COMPRESSION method` (`default` for COMPRESSION DEFAULT).
    pub compression: Option<String>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnConstraint {
    pub name: Option<String>,
    pub kind: ColumnConstraintKind,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ColumnConstraintKind {
    Null,
    NotNull,
    Default(Expr),
    Check { expr: Expr, no_inherit: bool },
    Unique { nulls_not_distinct: bool, with: Vec<DefElem> },
    PrimaryKey { with: Vec<DefElem> },
    References(ForeignKeyRef),
    Identity { always: bool, options: Vec<SequenceOption> },
    Generated { expr: Expr },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKeyRef {
    pub table: RangeVar,
    pub columns: Vec<String>,
    pub match_type: FkMatch,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FkMatch {
    Simple,
    Full,
    Partial,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull(Vec<String>),
    SetDefault(Vec<String>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TableConstraint {
    pub name: Option<String>,
    pub kind: TableConstraintKind,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub not_valid: bool,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TableConstraintKind {
    Check {
        expr: Expr,
        no_inherit: bool,
    },
    Unique {
        columns: Vec<String>,
        nulls_not_distinct: bool,
        include: Vec<String>,
        with: Vec<DefElem>,
    },
    PrimaryKey {
        columns: Vec<String>,
        include: Vec<String>,
        with: Vec<DefElem>,
    },
    ForeignKey {
        columns: Vec<String>,
        refs: ForeignKeyRef,
    },
    Exclude {
        loc: usize,
    },
    /// `UNIQUE USING INDEX name` / `PRIMARY KEY USING INDEX name`
    UsingIndex {
        primary: bool,
        index: String,
    },
}

/// `name = value` options (WITH (...), EXPLAIN options, COPY options).
#[derive(Clone, Debug, PartialEq)]
pub struct DefElem {
    pub name: String,
    pub value: Option<DefValue>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DefValue {
    Word(String),
    String(String),
    Number(String),
    List(Vec<DefValue>),
    Star,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateTableAsStmt {
    pub name: RangeVar,
    pub persistence: Persistence,
    pub if_not_exists: bool,
    pub columns: Vec<String>,
    pub query: Box<Statement>,
    pub with_data: bool,
    pub materialized: bool,
    /// `USING method` (table access method).
    pub access_method: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateViewStmt {
    pub name: RangeVar,
    pub or_replace: bool,
    pub persistence: Persistence,
    pub recursive: bool,
    pub columns: Vec<String>,
    pub options: Vec<DefElem>,
    pub query: Box<SelectStmt>,
    /// The query's source text, kept as the view definition.
    pub query_text: (usize, usize),
    pub check_option: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateIndexStmt {
    pub name: Option<String>,
    pub table: RangeVar,
    pub unique: bool,
    pub concurrently: bool,
    pub if_not_exists: bool,
    pub method: Option<String>,
    pub columns: Vec<IndexElem>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub with: Vec<DefElem>,
    pub where_clause: Option<Expr>,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IndexElem {
    /// A column name or an expression.
    pub expr: Expr,
    pub column: Option<String>,
    pub collation: Option<QualifiedName>,
    pub opclass: Option<QualifiedName>,
    /// Operator class parameters: `opclass (name = value, ...)`.
    pub opclass_options: Vec<DefElem>,
    pub dir: SortDir,
    pub nulls: Option<NullsOrder>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateSequenceStmt {
    pub name: RangeVar,
    pub persistence: Persistence,
    pub if_not_exists: bool,
    pub options: Vec<SequenceOption>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlterSequenceStmt {
    pub name: RangeVar,
    pub if_exists: bool,
    pub options: Vec<SequenceOption>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SequenceOption {
    As(TypeName),
    IncrementBy(NumericValue),
    MinValue(Option<NumericValue>),
    MaxValue(Option<NumericValue>),
    StartWith(NumericValue),
    Restart(Option<NumericValue>),
    Cache(NumericValue),
    Cycle(bool),
    OwnedBy(Option<QualifiedName>),
    SequenceName(QualifiedName),
    /// `LOGGED` / `UNLOGGED`.
    Logged(bool),
}

/// A signed numeric literal in DDL options, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct NumericValue {
    pub text: String,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CreateSchemaStmt {
    pub name: Option<String>,
    pub authorization: Option<String>,
    pub if_not_exists: bool,
    pub elements: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AlterTableStmt {
    pub table: RangeVar,
    pub if_exists: bool,
    pub object: ObjectKind,
    pub commands: Vec<AlterTableCmd>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AlterTableCmd {
    AddColumn {
        column: ColumnDef,
        if_not_exists: bool,
    },
    DropColumn {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    AlterColumnType {
        name: String,
        type_name: TypeName,
        collation: Option<QualifiedName>,
        using: Option<Expr>,
    },
    SetDefault {
        column: String,
        default: Option<Expr>,
    },
    SetNotNull {
        column: String,
        not_null: bool,
    },
    AddConstraint(TableConstraint),
    DropConstraint {
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    AddIdentity {
        column: String,
        always: bool,
        options: Vec<SequenceOption>,
    },
    DropIdentity {
        column: String,
        if_exists: bool,
    },
    /// A subcommand PostgreSQL has that OpenAssay does not build yet.
    Unsupported(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct RenameStmt {
    pub object: ObjectKind,
    pub target: QualifiedName,
    pub if_exists: bool,
    /// For RENAME COLUMN / RENAME CONSTRAINT.
    pub subname: Option<String>,
    pub new_name: String,
}

/// ALTER TABLE/SEQUENCE/VIEW … SET SCHEMA.
#[derive(Clone, Debug, PartialEq)]
pub struct AlterObjectSchemaStmt {
    pub object: ObjectKind,
    pub target: QualifiedName,
    pub if_exists: bool,
    pub new_schema: String,
    pub loc: usize,
}

/// SET CONSTRAINTS {ALL | name, …} {DEFERRED | IMMEDIATE}.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintsSetStmt {
    /// None: ALL.
    pub constraints: Option<Vec<(QualifiedName, usize)>>,
    pub deferred: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Table,
    View,
    MaterializedView,
    Index,
    Sequence,
    Schema,
    Type,
    Domain,
    Function,
    Column,
    Constraint,
    ForeignTable,
    Extension,
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DropStmt {
    pub kind: ObjectKind,
    pub names: Vec<QualifiedName>,
    pub if_exists: bool,
    pub cascade: bool,
    pub concurrently: bool,
    pub loc: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TruncateStmt {
    pub tables: Vec<RangeVar>,
    pub restart_identity: bool,
    pub cascade: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CommentStmt {
    pub object: ObjectKind,
    pub target: QualifiedName,
    pub comment: Option<String>,
}

// ---------------------------------------------------------------- utility

#[derive(Clone, Debug, PartialEq)]
pub enum TransactionStmt {
    Begin { modes: Vec<TransactionMode>, start: bool },
    Commit { chain: bool },
    Rollback { chain: bool },
    Savepoint(String),
    Release(String),
    RollbackTo(String),
    PrepareTransaction(String),
    CommitPrepared(String),
    RollbackPrepared(String),
    SetTransaction { modes: Vec<TransactionMode>, session: bool },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TransactionMode {
    IsolationLevel(String),
    ReadOnly(bool),
    Deferrable(bool),
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetStmt {
    pub kind: SetKind,
    pub local: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetKind {
    /// `SET name TO values`; an empty list is never produced.
    Value {
        name: String,
        values: Vec<SetValue>,
    },
    Default(String),
    FromCurrent(String),
    Reset(String),
    ResetAll,
    /// `SET TIME ZONE ...` (values empty = LOCAL/DEFAULT).
    TimeZone(Option<SetValue>),
    Session(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetValue {
    String(String),
    Number(String),
    Word(String),
    /// `INTERVAL '...' [fields]` in SET TIME ZONE.
    Interval {
        value: String,
        typmods: Vec<Expr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ShowStmt {
    Name(String),
    All,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrepareStmt {
    pub name: String,
    pub arg_types: Vec<TypeName>,
    pub query: Box<Statement>,
    pub query_text: (usize, usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExecuteStmt {
    pub name: String,
    pub params: Vec<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DeallocateStmt {
    Name(String),
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscardKind {
    All,
    Plans,
    Sequences,
    Temp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExplainStmt {
    pub options: Vec<DefElem>,
    pub statement: Box<Statement>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CopyStmt {
    pub source: CopySource,
    pub is_from: bool,
    pub target: CopyTarget,
    pub options: Vec<DefElem>,
    pub where_clause: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CopySource {
    Table { rel: RangeVar, columns: Vec<String> },
    Query(Box<Statement>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum CopyTarget {
    Stdin,
    Stdout,
    File(String),
    Program(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct AnalyzeStmt {
    pub verbose: bool,
    pub tables: Vec<(RangeVar, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VacuumStmt {
    pub options: Vec<DefElem>,
    pub analyze: bool,
    pub tables: Vec<(RangeVar, Vec<String>)>,
}
