{
  description = "opnsense-mcp: GitOps for OPNsense firewalls, with an MCP server";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    flake-utils.url = "github:numtide/flake-utils";
  };

  outputs = { self, nixpkgs, flake-utils }:
    flake-utils.lib.eachDefaultSystem (system:
      let
        pkgs = import nixpkgs { inherit system; };
        runtime = [ pkgs.nodejs_24 pkgs.redis pkgs.git ];
      in
      {
        # `nix develop`: Node 24 and Redis on the PATH, as CI has them.
        devShells.default = pkgs.mkShell {
          packages = runtime ++ [ pkgs.actionlint ];
          shellHook = ''
            echo "opnsense-mcp dev shell: node $(node --version), $(redis-server --version | cut -d' ' -f3)"
          '';
        };

        # `nix flake check`: install, start a private Redis, typecheck and run the test suite.
        # The sandbox has no network, so this check needs `--option sandbox false` (npm ci fetches
        # packages) or a pre-populated npm cache; see docs/development.md.
        checks.tests = pkgs.runCommand "opnsense-mcp-tests"
          {
            src = self;
            nativeBuildInputs = runtime ++ [ pkgs.bash pkgs.cacert ];
            __noChroot = true;
          } ''
          cp -r $src source && chmod -R u+w source && cd source
          export HOME=$TMPDIR
          redis-server --daemonize yes --port 6379 --bind 127.0.0.1 --save "" --appendonly no
          bash .ci/run
          touch $out
        '';
      });
}
