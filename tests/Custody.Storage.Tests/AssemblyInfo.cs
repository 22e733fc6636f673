using System.Runtime.Versioning;

// Temporary SQLite files, tmpfs mounts for full and read-only disks, a PostgreSQL cluster run as the postgres user: Linux.
[assembly: SupportedOSPlatform("linux")]
