; Inno Setup script: a per-user install that needs no administrator rights.
; Built on Windows by installer\build.py (which freezes and smoke-tests first), or by hand:
;   iscc /DVersion=0.1.0 /DSource=build\dist\ptclock /DIcon=build\icons\ptclock.ico installer\windows\ptclock.iss
; Uninstalling removes the program and its shortcuts; the user's data folder
; (%LOCALAPPDATA%\ptclock: the database and its backups) is left in place on purpose.

#ifndef Version
  #define Version "0.1.0"
#endif
#ifndef Source
  #define Source "..\..\build\dist\ptclock"
#endif
#ifndef Icon
  #define Icon "..\..\build\icons\ptclock.ico"
#endif

[Setup]
AppId={{6F1C7E2A-3B0D-4F5E-9A51-70C1A7D3B2E4}
AppName=ptclock
AppVersion={#Version}
AppPublisher=ptclock developers
DefaultDirName={autopf}\ptclock
DefaultGroupName=ptclock
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=ptclock-{#Version}-setup
OutputDir=..\..\build
SetupIconFile={#Icon}
UninstallDisplayIcon={app}\ptclock.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Files]
Source: "{#Source}\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{autoprograms}\ptclock"; Filename: "{app}\ptclock.exe"
Name: "{autodesktop}\ptclock"; Filename: "{app}\ptclock.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\ptclock.exe"; Description: "Open ptclock"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] for the data folder: a clinic's records are never removed by an
; uninstall. To remove them, delete %LOCALAPPDATA%\ptclock by hand after exporting.
