/** Every page's footer, with the attribution DB-IP's CC BY 4.0 licence asks for. */
export function Footer() {
  return (
    <footer className="site-footer">
      <span>Vault Sessions</span>
      <span aria-hidden="true">·</span>
      <a href="https://db-ip.com" target="_blank" rel="noopener noreferrer">
        IP Geolocation by DB-IP
      </a>
    </footer>
  );
}
