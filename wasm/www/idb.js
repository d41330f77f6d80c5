// Database images (Database.save()'s bytes) kept in the browser's IndexedDB,
// gzip-compressed where the browser has CompressionStream (images are
// mostly page slack and compress about 6:1).

const DB_NAME = "openassay-console";
const STORE = "images";

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function store(mode) {
  const open = indexedDB.open(DB_NAME, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(STORE);
  const db = await request(open);
  return db.transaction(STORE, mode).objectStore(STORE);
}

async function pipe(bytes, stream) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

/** Stores `bytes` under `name`; resolves to the number of bytes stored. */
export async function putImage(name, bytes) {
  const gzip = typeof CompressionStream === "function";
  const data = gzip ? await pipe(bytes, new CompressionStream("gzip")) : bytes;
  await request((await store("readwrite")).put({ data, gzip, size: bytes.length, savedAt: Date.now() }, name));
  return data.length;
}

/** The image stored under `name` (`{ bytes, savedAt }`), or null. */
export async function getImage(name) {
  const entry = await request((await store("readonly")).get(name));
  if (!entry) return null;
  const bytes = entry.gzip ? await pipe(entry.data, new DecompressionStream("gzip")) : entry.data;
  return { bytes, savedAt: new Date(entry.savedAt) };
}
