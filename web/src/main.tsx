import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
// In cascade order: later files override earlier ones at equal specificity (narrow screens last).
import './styles/theme.css';
import './styles/header.css';
import './styles/footer.css';
import './styles/page.css';
import './styles/controls.css';
import './styles/alerts.css';
import './styles/toolbar.css';
import './styles/tables.css';
import './styles/settings.css';
import './styles/activity-table.css';
import './styles/activity-filters.css';
import './styles/sessions-table.css';
import './styles/tooltip.css';
import './styles/modal.css';
import './styles/session-detail.css';
import './styles/login.css';
import './styles/users.css';
import './styles/streams.css';
import './styles/mfa.css';
import './styles/sso.css';
import './styles/narrow-screens.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
