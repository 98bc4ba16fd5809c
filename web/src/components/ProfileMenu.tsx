import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import type { Me } from '../api/types.ts';
import { navigate } from './router.tsx';

interface ProfileMenuProps {
  me: Me;
  onChangePassword: () => void;
  onTwoFactor: () => void;
  onLogout: () => void;
}

interface Item {
  label: string;
  run: () => void;
}

/**
 * The Profile menu (WAI-ARIA menu button): Enter/Space/↓ opens it on the first item, ↑/↓/Home/End
 * move, Escape closes and returns focus to the button, Tab leaves it.
 */
export function ProfileMenu({ me, onChangePassword, onTwoFactor, onLogout }: ProfileMenuProps) {
  const [open, setOpen] = useState(false);
  const [focusIndex, setFocusIndex] = useState(0);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  const items: Item[] = [
    { label: 'Session Information', run: () => navigate('/sessions') },
    { label: 'Activity Log', run: () => navigate('/activity') },
    ...(me.user.role === 'admin' ? [{ label: 'Users', run: () => navigate('/users') }] : []),
    { label: 'Change password', run: onChangePassword },
    { label: 'Two-factor authentication', run: onTwoFactor },
    { label: 'Log out', run: onLogout },
  ];

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelectorAll<HTMLElement>('[role="menuitem"]')[focusIndex]?.focus();
  }, [open, focusIndex]);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menuRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    return () => document.removeEventListener('pointerdown', onPointer);
  }, [open]);

  const openAt = (index: number) => {
    setFocusIndex(index);
    setOpen(true);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };
  const choose = (item: Item) => {
    close(true);
    item.run();
  };

  const onButtonKey = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      openAt(event.key === 'ArrowDown' ? 0 : items.length - 1);
    }
  };
  const onMenuKey = (event: KeyboardEvent) => {
    const last = items.length - 1;
    const moves: Record<string, number> = {
      ArrowDown: focusIndex === last ? 0 : focusIndex + 1,
      ArrowUp: focusIndex === 0 ? last : focusIndex - 1,
      Home: 0,
      End: last,
    };
    const next = moves[event.key];
    if (next !== undefined) {
      event.preventDefault();
      setFocusIndex(next);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'Tab') {
      close(false);
    }
  };

  return (
    <div className="profile">
      <button
        ref={buttonRef}
        type="button"
        className="profile-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => (open ? close(false) : openAt(0))}
        onKeyDown={onButtonKey}
      >
        <span className="avatar" aria-hidden="true">
          {me.user.username.slice(0, 1).toUpperCase()}
        </span>
        <span className="profile-name">
          <span className="visually-hidden">Profile: </span>
          {me.user.username}
          <span className="role-tag">{me.user.role}</span>
        </span>
        <svg className="chevron" viewBox="0 0 12 12" aria-hidden="true" focusable="false">
          <path d="M2 4l4 4 4-4" />
        </svg>
      </button>
      <div
        ref={menuRef}
        id={menuId}
        role="menu"
        aria-label="Profile"
        className="menu"
        hidden={!open}
        onKeyDown={onMenuKey}
      >
        {items.map((item, index) => (
          <button
            key={item.label}
            type="button"
            role="menuitem"
            tabIndex={index === focusIndex ? 0 : -1}
            className={item.label === 'Log out' ? 'menu-item menu-item-separated' : 'menu-item'}
            onClick={() => choose(item)}
          >
            {item.label}
          </button>
        ))}
      </div>
    </div>
  );
}
