# Debian's nginx (1.22.1 on Debian 12), unpacked under ~/.cache/groundwork/nginx, not
# installed: no root needed to run it and nothing left on the system. Sourced; sets NGINX
# to the binary, fetching the package (apt-get download) the first time.
NGINX_DIR="$HOME/.cache/groundwork/nginx"
NGINX="$NGINX_DIR/root/usr/sbin/nginx"
if [ ! -x "$NGINX" ]; then
  echo "fetching Debian's nginx into $NGINX_DIR" >&2
  rm -rf "$NGINX_DIR"
  mkdir -p "$NGINX_DIR/deb"
  apt_sandbox=()
  # As root apt downloads as the user _apt, who may not write under $HOME.
  [ "$(id -u)" = 0 ] && apt_sandbox=(-o APT::Sandbox::User=root)
  (cd "$NGINX_DIR/deb" && apt-get download "${apt_sandbox[@]}" nginx) >&2
  dpkg-deb -x "$NGINX_DIR"/deb/nginx_*.deb "$NGINX_DIR/root"
fi
# Workers run as root when nginx is started by root (the default user, nobody, could not
# write a cache in a private temporary directory).
NGINX_USER=""
[ "$(id -u)" = 0 ] && NGINX_USER="user root;"
