using System.Runtime.Versioning;

// SoftHSM and /proc: the probe runs on Linux.
[assembly: SupportedOSPlatform("linux")]
