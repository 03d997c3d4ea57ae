/* SPDX-License-Identifier: MIT */
/* The PLC program the simulator serves: PLC data types (UDTs), global data blocks, the
 * interfaces of function blocks with their instance DBs, and a tag table, loaded from the
 * source files TIA Portal writes with "Generate source from blocks" (`.udt`, `.db`, `.scl`)
 * plus our own tag-table format (`.tags`, see tags.c and examples/plc/README.md).
 *
 * Model
 *   s7t_program  owns everything below; one arena, released by s7t_program_free().
 *   s7t_udt      a PLC data type: name + its body, an S7T_STRUCT type; or (fb true) the
 *                interface of a FUNCTION_BLOCK: what its instance data holds (VAR_INPUT,
 *                VAR_OUTPUT, VAR_IN_OUT, VAR; member.section says which), its code skipped.
 *   s7t_db       a global DB: name, number, optimized flag, root S7T_STRUCT type (its own, or
 *                the body of the UDT it is declared with) and the start value of every leaf.
 *   s7t_type     S7T_ELEMENTARY (Int, String[20], DTL, HW_IO, ...), S7T_ARRAY (up to 6
 *                dimensions) or S7T_STRUCT (ordered members). A member of a UDT type points
 *                straight at the UDT's struct type (type->udt says which), so a program is a
 *                DAG of types without references to resolve. System data types (IEC_TIMER,
 *                IEC_COUNTER ..., CREF, NREF, ErrorStruct) are S7T_STRUCT types whose sdt is
 *                their own softdatatype (31, 30, ...) instead of 17; one per program and kind.
 *   s7t_value    one start value, in the representation given by s7t_elem_vkind().
 *   leaf         an elementary value in a DB: each element of an array counts. The leaves of a
 *                DB are numbered 0.. in declaration order (depth first, array elements in
 *                row-major order, last index fastest); db->start[i] is leaf i.
 *
 * Ownership: every pointer reachable from an s7t_program (names, types, members, values)
 * is borrowed from it and stays valid until s7t_program_free(). Nothing is ever modified
 * after loading, so one program may be read from any number of threads at once.
 * Allocation goes through s7p_malloc (src/util/alloc.c); nothing is written to stdout/stderr.
 */
#ifndef S7P_SIM_PROGRAM_PROGRAM_H
#define S7P_SIM_PROGRAM_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* PLC software datatype ids (the S7CommPlus "softdatatype" of a variable). */
enum {
    S7T_SDT_BOOL = 1, S7T_SDT_BYTE = 2, S7T_SDT_CHAR = 3, S7T_SDT_WORD = 4, S7T_SDT_INT = 5,
    S7T_SDT_DWORD = 6, S7T_SDT_DINT = 7, S7T_SDT_REAL = 8, S7T_SDT_DATE = 9,
    S7T_SDT_TOD = 10, S7T_SDT_TIME = 11, S7T_SDT_S5TIME = 12, S7T_SDT_DT = 14,
    S7T_SDT_STRUCT = 17, S7T_SDT_STRING = 19, S7T_SDT_POINTER = 20, S7T_SDT_ANY = 22,
    S7T_SDT_BLOCK_FB = 23, S7T_SDT_BLOCK_FC = 24, S7T_SDT_BLOCK_DB = 25, S7T_SDT_BLOCK_SDB = 26,
    S7T_SDT_COUNTER = 28, S7T_SDT_TIMER = 29,
    S7T_SDT_IEC_COUNTER = 30, S7T_SDT_IEC_TIMER = 31, S7T_SDT_BLOCK_SFB = 32,
    S7T_SDT_BLOCK_SFC = 33, S7T_SDT_LREAL = 48, S7T_SDT_ULINT = 49,
    S7T_SDT_LINT = 50, S7T_SDT_LWORD = 51, S7T_SDT_USINT = 52, S7T_SDT_UINT = 53,
    S7T_SDT_UDINT = 54, S7T_SDT_SINT = 55, S7T_SDT_WCHAR = 61, S7T_SDT_WSTRING = 62,
    S7T_SDT_VARIANT = 63,
    S7T_SDT_LTIME = 64, S7T_SDT_LTOD = 65, S7T_SDT_LDT = 66, S7T_SDT_DTL = 67,
    S7T_SDT_IEC_LTIMER = 68, S7T_SDT_IEC_SCOUNTER = 69, S7T_SDT_IEC_DCOUNTER = 70,
    S7T_SDT_IEC_LCOUNTER = 71, S7T_SDT_IEC_UCOUNTER = 72, S7T_SDT_IEC_USCOUNTER = 73,
    S7T_SDT_IEC_UDCOUNTER = 74, S7T_SDT_IEC_ULCOUNTER = 75,
    S7T_SDT_ERROR_STRUCT = 97, S7T_SDT_NREF = 98, S7T_SDT_CREF = 101,
    S7T_SDT_AOM_IDENT = 128, S7T_SDT_EVENT_ANY = 129, S7T_SDT_EVENT_ATT = 130,
    S7T_SDT_EVENT_HWINT = 134,
    S7T_SDT_HW_ANY = 144, S7T_SDT_HW_IOSYSTEM = 145, S7T_SDT_HW_DPMASTER = 146,
    S7T_SDT_HW_DEVICE = 147, S7T_SDT_HW_DPSLAVE = 148, S7T_SDT_HW_IO = 149,
    S7T_SDT_HW_MODULE = 150, S7T_SDT_HW_SUBMODULE = 151, S7T_SDT_HW_HSC = 152,
    S7T_SDT_HW_PWM = 153, S7T_SDT_HW_PTO = 154, S7T_SDT_HW_INTERFACE = 155,
    S7T_SDT_HW_IEPORT = 156,
    S7T_SDT_OB_ANY = 160, S7T_SDT_OB_DELAY = 161, S7T_SDT_OB_TOD = 162,
    S7T_SDT_OB_CYCLIC = 163, S7T_SDT_OB_ATT = 164,
    S7T_SDT_CONN_ANY = 168, S7T_SDT_CONN_PRG = 169, S7T_SDT_CONN_OUC = 170,
    S7T_SDT_CONN_R_ID = 171, S7T_SDT_PORT = 173, S7T_SDT_RTM = 174, S7T_SDT_PIP = 175,
    S7T_SDT_OB_PCYCLE = 192, S7T_SDT_OB_HWINT = 193, S7T_SDT_OB_COMM = 194,
    S7T_SDT_OB_DIAG = 195, S7T_SDT_OB_TIMEERROR = 196, S7T_SDT_OB_STARTUP = 197,
    S7T_SDT_DB_ANY = 208, S7T_SDT_DB_WWW = 209, S7T_SDT_DB_DYN = 210,
};

#define S7T_MAX_DIMS 6
#define S7T_MAX_NAME 128          /* bytes in a block, type, member or tag name */
#define S7T_STRING_DEFAULT_LEN 254

typedef enum s7t_kind { S7T_ELEMENTARY = 1, S7T_ARRAY, S7T_STRUCT } s7t_kind;

/* How the start value of an elementary type is stored (s7t_elem_vkind()):
 *   S7T_V_UINT  u: Bool (0/1), Byte, Word, DWord, LWord, USInt, UInt, UDInt, ULInt,
 *               Char (code 0..255, Latin-1), WChar (UTF-16 code unit), Date (days since
 *               1990-01-01), Time_Of_Day (ms since midnight), LTime_Of_Day (ns since
 *               midnight), Counter/Timer (their number), hardware/OB/connection/DB
 *               identifiers (HW_IO, OB_ANY, CONN_ANY, DB_ANY, ...)
 *   S7T_V_INT   i: SInt, Int, DInt, LInt, Time (ms), LTime (ns), S5Time (ms, 0..9990000;
 *               see s7t_s5time_encode()), Date_And_Time and LDT (ns since 1970-01-01
 *               00:00:00, no time zone)
 *   S7T_V_REAL  r: Real (a value a float can hold), LReal
 *   S7T_V_TEXT  text: String, WString: UTF-8, NUL terminated, n bytes without the NUL
 *   S7T_V_BYTES bytes: DTL (12 bytes as in PLC memory: YEAR UInt, MONTH, DAY, WEEKDAY
 *               (1 = Sunday), HOUR, MINUTE, SECOND USInt, NANOSECOND UDInt, big endian),
 *               Pointer (6 zero bytes), Any (10 zero bytes); Block_FB, Block_FC, Block_DB
 *               ... are S7T_V_UINT (the block number)
 * Values nobody wrote are the type's zero: 0, "", DTL#1970-01-01-00:00:00,
 * Date D#1990-01-01 (0), Date_And_Time DT#1990-01-01-00:00:00. */
typedef enum s7t_vkind { S7T_V_UINT = 1, S7T_V_INT, S7T_V_REAL, S7T_V_TEXT, S7T_V_BYTES } s7t_vkind;

typedef struct s7t_value {
    union {
        uint64_t u;
        int64_t i;
        double r;
        struct { const char *p; uint32_t n; } text;
        uint8_t bytes[12];
    };
    uint8_t kind;                 /* s7t_vkind */
} s7t_value;

/** One `Name := 'value'` of a `{ ... }` attribute list, both unquoted. */
typedef struct s7t_attr { const char *key, *value; } s7t_attr;

typedef struct s7t_type s7t_type;
typedef struct s7t_member s7t_member;
typedef struct s7t_udt s7t_udt;

typedef struct s7t_dim {
    int32_t lo;                   /* lower bound, may be negative */
    uint32_t count;               /* hi - lo + 1, at least 1 */
} s7t_dim;

struct s7t_type {
    s7t_kind kind;
    uint16_t sdt;                 /* S7T_SDT_*: arrays carry their element's, structs 17,
                                   * system data types their own (31 IEC_TIMER, ...) */
    const char *name;             /* elementary: canonical TIA spelling ("Int", "Time_Of_Day");
                                   * struct of a UDT or FB: its name; system data type: its
                                   * name ("IEC_TIMER"); otherwise NULL */
    uint16_t max_len;             /* String 1..254, WString 1..16382; 0 otherwise */
    /* S7T_ARRAY */
    const s7t_type *elem;         /* never an array */
    uint8_t ndims;
    s7t_dim dims[S7T_MAX_DIMS];
    uint64_t count;               /* elements: product of dims[].count */
    /* S7T_STRUCT */
    const s7t_member *members;
    size_t nmembers;
    const s7t_udt *udt;           /* the PLC data type or FB whose body this is; NULL: inline
                                   * Struct or system data type */
    uint32_t sys_size;            /* system data type: bytes in a standard DB (16 IEC_TIMER) */
    /* all kinds */
    uint64_t leaves;              /* elementary values in one instance: 1, count*elem, sum */
    unsigned depth;               /* 0 elementary; arrays and structs add one level */
};

struct s7t_member {
    const char *name;             /* without quotes; may contain spaces, dots, brackets */
    const s7t_type *type;
    const char *comment;          /* the `// ...` after the declaration; "" when none */
    const s7t_attr *attrs;
    size_t nattrs;
    /* Declared start values (`:= ...`): 1 for an elementary member, type->count for an array
     * of elementary type (list start values expanded, the rest the type's zero). NULL when the
     * declaration has none; a DB's own start values (s7t_db.start) are what counts. */
    const s7t_value *start;
    uint32_t lid;                 /* local id: 1, 2, 3, ... in declaration order in its struct */
    uint64_t offset;              /* index of its first leaf among the struct's leaves */
    bool retain;                  /* declared in a retentive section (DB members only) */
    uint8_t section;              /* s7t_section: where an FB declares it; 0 elsewhere */
    uint8_t sys_bit;              /* system data type members: bit of a Bool (0..7) */
    uint32_t sys_offset;          /* system data type members: byte offset in the type */
    uint32_t line;                /* where it is declared, in the file of its block */
};

/* The interface section of an FB member (the type-info "section" code, 1..4). VAR_TEMP and
 * VAR CONSTANT hold no instance data and are not kept. */
typedef enum s7t_section {
    S7T_SEC_NONE = 0, S7T_SEC_INPUT = 1, S7T_SEC_OUTPUT = 2, S7T_SEC_INOUT = 3, S7T_SEC_STATIC = 4
} s7t_section;

struct s7t_udt {
    const char *name;
    bool fb;                      /* a FUNCTION_BLOCK's interface, not a TYPE */
    const char *file;             /* source name it came from */
    uint32_t line;
    const char *version, *title;  /* "" when absent */
    const s7t_attr *attrs;
    size_t nattrs;
    const s7t_type *type;         /* S7T_STRUCT; type->udt == this */
};

typedef struct s7t_db {
    const char *name;
    uint16_t number;              /* see s7t_program_parse() for how numbers are assigned */
    bool optimized;               /* S7_Optimized_Access; 'TRUE' unless it says 'FALSE' */
    bool retain;                  /* RETAIN in the header (NON_RETAIN or nothing: false) */
    bool read_only;               /* READ_ONLY in the header */
    const char *file;
    uint32_t line;
    const char *version, *title, *author, *family;  /* "" when absent */
    const s7t_attr *attrs;
    size_t nattrs;
    const s7t_type *type;         /* root, S7T_STRUCT */
    const s7t_udt *udt;           /* `DATA_BLOCK "x" "MyUdt"`: the UDT; an instance DB
                                   * (`DATA_BLOCK "x" "MyFb"`): the FB (udt->fb); else NULL.
                                   * Instance DBs of system FBs (TON_TIME, IEC_TIMER ...) have
                                   * NULL and a system data type as their type. */
    const s7t_value *start;       /* type->leaves start values, leaf order */
} s7t_db;

/* Tag table (`.tags`): I, Q and M tags, timers and counters. */
typedef enum s7t_area { S7T_AREA_I = 1, S7T_AREA_Q, S7T_AREA_M, S7T_AREA_T, S7T_AREA_C } s7t_area;

typedef struct s7t_tag {
    const char *name;
    const s7t_type *type;         /* elementary: Bool, 1/2/4-byte types, Timer, Counter */
    s7t_area area;
    uint32_t offset;              /* byte offset; timer/counter number for T and C */
    uint8_t bit;                  /* 0..7, Bool only */
    uint8_t width;                /* bytes at offset: 0 for a bit, T and C; else 1, 2 or 4 */
    bool peripheral;              /* `:P` (I and Q only) */
    s7t_value start;              /* the type's zero when not given */
    const char *comment;          /* "" when none */
    const char *file;
    uint32_t line;
} s7t_tag;

/** A source handed to s7t_program_parse(). The name ("motor.db") is used in error messages
 *  and picks the format: names ending in ".tags" (any case) are tag tables, all others TIA
 *  sources holding any number of TYPE, DATA_BLOCK and FUNCTION_BLOCK blocks (FUNCTION and
 *  ORGANIZATION_BLOCK blocks hold no data and are skipped). Borrowed during the call. */
typedef struct s7t_source {
    const char *name;
    const char *text;             /* UTF-8 (a leading BOM is skipped); need not be terminated */
    size_t len;
} s7t_source;

/** Bounds on what a source can make the loader do; anything beyond is a load error. */
typedef struct s7t_limits {
    size_t max_source_bytes;      /* per source; default 16 MiB */
    unsigned max_depth;           /* struct/array nesting, UDTs included; default 32 */
    uint64_t max_db_leaves;       /* elementary values per DB or UDT, also elements per
                                   * array; default 1000000 */
    size_t max_program_bytes;     /* memory of the loaded program; default 256 MiB */
} s7t_limits;

typedef struct s7t_program s7t_program;

/** Sets the defaults listed in s7t_limits. */
void s7t_limits_init(s7t_limits *l);

/** What a load found wrong (s7t_program_load()). */
typedef struct s7t_load_report {
    unsigned errors;              /* errors found, also those that did not fit the buffer */
    unsigned skipped;             /* sources left out because of them */
} s7t_load_report;

/**
 * Loads a program from sources held in memory (tests, fuzzing, embedding).
 *
 * Sources are processed in the byte order of their names, whatever the order of `src`;
 * blocks inside a source in file order. UDT and FB references are resolved across all
 * sources. DB numbers: a DB named `DB<n>` or `DB<n>_...` (any case, n = 1..65535, no leading
 * zero) gets n; every other DB, in processing order, gets the lowest number >= 1 not taken.
 *
 * Every error is reported, not only the first: the parser goes on at the next block after
 * one, and resolution reports every unknown type and every bad BEGIN assignment. A source
 * with an error is left out as a whole (and so is whatever needs its blocks, with an error
 * of its own); without `strict` the rest is loaded and returned.
 *
 * @param src,n   the sources; borrowed for the duration of the call.
 * @param lim     NULL for the defaults.
 * @param strict  fail (NULL) on any error instead of leaving the source out.
 * @param err     receives one line per error, "file:line:col: message" ("file: message"
 *                for whole-file problems), joined by '\n', in the order found; columns count
 *                UTF-8 characters from 1. Lines that do not fit are dropped. "" when none.
 * @param rep     NULL, or receives the counts.
 * @return the program (free with s7t_program_free()), or NULL on failure (strict and any
 *         error; out of memory or beyond max_program_bytes; nothing left to load never fails).
 */
s7t_program *s7t_program_load(const s7t_source *src, size_t n, const s7t_limits *lim,
                              bool strict, char *err, size_t err_len, s7t_load_report *rep);

/** s7t_program_load() with strict = true. */
s7t_program *s7t_program_parse(const s7t_source *src, size_t n, const s7t_limits *lim,
                               char *err, size_t err_len);

/**
 * Loads every `*.udt`, `*.db`, `*.scl` and `*.tags` file (any case) of a directory, not
 * recursing, with the default limits. Other files are ignored; a directory without any is
 * an error. Error messages name files by their name inside dir. Strict (s7t_program_load).
 */
s7t_program *s7t_program_load_dir(const char *dir, char *err, size_t err_len);

/** s7t_program_load_dir() with the choice of strict; see s7t_program_load(). A file that
 *  cannot be read fails the load (that is the machine's problem, not the program's). */
s7t_program *s7t_program_load_dir_ex(const char *dir, bool strict, char *err, size_t err_len,
                                     s7t_load_report *rep);

/** Frees the program and everything borrowed from it. NULL is a no-op. */
void s7t_program_free(s7t_program *p);

/* Accessors; i must be below the count. UDTs and tags in processing order, DBs by number. */
size_t s7t_program_udt_count(const s7t_program *p);
const s7t_udt *s7t_program_udt(const s7t_program *p, size_t i);
size_t s7t_program_db_count(const s7t_program *p);
const s7t_db *s7t_program_db(const s7t_program *p, size_t i);
size_t s7t_program_tag_count(const s7t_program *p);
const s7t_tag *s7t_program_tag(const s7t_program *p, size_t i);
/* Lookups by name compare ASCII letters without case, as TIA does; NULL when absent. */
const s7t_udt *s7t_program_find_udt(const s7t_program *p, const char *name);
const s7t_db *s7t_program_find_db(const s7t_program *p, const char *name);
const s7t_db *s7t_program_find_db_number(const s7t_program *p, uint16_t number);
const s7t_tag *s7t_program_find_tag(const s7t_program *p, const char *name);

/** One leaf of a DB, as handed to an s7t_leaf_fn; valid only during the callback. */
typedef struct s7t_leaf {
    const char *path;             /* "\"Motors\".motor[2].\"rated speed\"" */
    const s7t_type *type;         /* elementary */
    const s7t_value *start;       /* == &db->start[index] */
    const s7t_member *member;     /* the innermost member (the array for array elements) */
    uint64_t index;               /* leaf number in the DB */
    /* Access ids from the DB root: a member's lid for each struct level, the flat element
     * number (0-based, row-major) for each array level. */
    const uint32_t *ids;
    size_t nids;
} s7t_leaf;

/** Return 0 to go on; anything else stops the walk and is returned by s7t_db_walk(). */
typedef int (*s7t_leaf_fn)(void *ctx, const s7t_leaf *leaf);

/** Calls fn for every leaf of db in leaf order. Returns 0, fn's non-zero value, or -1 when
 *  out of memory. */
int s7t_db_walk(const s7t_db *db, s7t_leaf_fn fn, void *ctx);

/** What a symbolic path inside a DB addresses. */
typedef struct s7t_ref {
    const s7t_type *type;         /* any kind */
    const s7t_member *member;     /* innermost member on the path */
    uint64_t first, count;        /* its leaves: db->start[first .. first+count-1] */
} s7t_ref;

/**
 * Resolves a path relative to the DB, in source syntax: `a.b[1,2].c`, `"rated speed"`,
 * member names compared without ASCII case. Returns false with a message when the path
 * is malformed or names nothing.
 */
bool s7t_db_resolve(const s7t_db *db, const char *path, s7t_ref *out, char *err,
                    size_t err_len);

/** The start value of the leaf at path, or NULL if the path does not name one leaf. */
const s7t_value *s7t_db_value(const s7t_db *db, const char *path);

/** True for a system data type (an S7T_STRUCT with its own softdatatype, IEC_TIMER ...). */
bool s7t_is_system_type(const s7t_type *t);

/** How values of this elementary type are stored (s7t_vkind), 0 for other kinds. */
s7t_vkind s7t_elem_vkind(const s7t_type *t);

/** Bytes the type takes in a standard (non-optimized) block: Bool 0 (one bit), String
 *  max_len + 2, WString 2 * (max_len + 2); 0 for arrays and structs. */
unsigned s7t_elem_size(const s7t_type *t);

/** Writes the type in source syntax ("Int", "String[20]", "Array[1..4, 0..2] of Real",
 *  "Struct", "\"Motor\"") and returns the length it needs (snprintf semantics). */
size_t s7t_type_format(const s7t_type *t, char *buf, size_t len);

/** The canonical name of a software datatype id, or NULL if unknown. */
const char *s7t_sdt_name(uint16_t sdt);

/** An S5Time value (ms, 0..9990000) as the PLC stores it: time base in bits 12-13, three
 *  BCD digits; the smallest base that holds the value, digits truncated. */
uint16_t s7t_s5time_encode(int64_t ms);

#endif
