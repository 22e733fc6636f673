using System.Runtime.Versioning;

// The CLI drives SoftHSM and 0600 PIN files: these tests run on Linux.
[assembly: SupportedOSPlatform("linux")]
